/** Types for scripts/start.mjs. */
import type { Server } from 'node:http';
export function electronBinary(projectRoot?: string): string | null;
export function createStaticServer(dir: string): Server;
export function listen(server: Server, port: number): Promise<number>;
export const CSP: string;
