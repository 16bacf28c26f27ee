/** Types for scripts/start.mjs. */
import type { Server } from 'node:http';
export const NODE_RANGE: string;
export function satisfiesRange(version: string, range: string): boolean;
export function nodeVersionProblem(version: string, range?: string): string | null;
export function electronPackageDir(projectRoot?: string): string | null;
export function electronBinary(projectRoot?: string): string | null;
export function installerFailureReason(stderr: string, code: number | null): string;
export function installElectron(projectRoot?: string): Promise<string | { reason: string }>;
export function createStaticServer(dir: string): Server;
export function listen(server: Server, port: number): Promise<number>;
export const CSP: string;
