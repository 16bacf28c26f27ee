import type { Command } from 'commander';
import type { Io } from '../main.ts';

export function register(_program: Command, _io: Io, _setExit: (code: number) => void): void {}
