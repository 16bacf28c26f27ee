/**
 * Binds the contract's channels to handlers on ipcMain: every call is checked
 * for its sender (our top frame only) and its arguments before the handler runs.
 */
import { INVOKE_CHANNELS, SEND_CHANNELS } from '../../common/ipc-contract.ts';
import type { InvokeName, SendName } from '../../common/ipc-contract.ts';
import { INVOKE_VALIDATORS, SEND_VALIDATORS } from './validate.ts';
import { isTrustedSender } from '../security.ts';
import type { SenderFrame } from '../security.ts';
import type { InvokeHandlers, SendHandlers } from '../handlers.ts';
import type { WindowSession } from '../session.ts';

/** The part of IpcMainEvent / IpcMainInvokeEvent we rely on. */
export interface IpcEventLike {
  senderFrame: SenderFrame | null;
  sender: { id: number };
}

export interface IpcMainLike {
  handle(channel: string, listener: (event: IpcEventLike, ...args: unknown[]) => unknown): void;
  on(channel: string, listener: (event: IpcEventLike, ...args: unknown[]) => void): void;
}

export class IpcRefused extends Error {
  override name = 'IpcRefused';
}

export interface RegisterOptions {
  /** The session of the window whose webContents sent the event, or null. */
  sessionFor(event: IpcEventLike): WindowSession | null;
  /** Where refused fire-and-forget messages are reported (they have no caller to throw to). */
  warn(message: string): void;
}

/** Check sender and arguments; returns the session or throws IpcRefused. */
export function admit(event: IpcEventLike, channel: string, argsOk: boolean, options: RegisterOptions): WindowSession {
  if (!isTrustedSender(event.senderFrame)) {
    throw new IpcRefused(`Refused ${channel}: the sender is not Cellwright's own window (${event.senderFrame?.url ?? 'no frame'}).`);
  }
  const session = options.sessionFor(event);
  if (!session) throw new IpcRefused(`Refused ${channel}: the sender belongs to no Cellwright window.`);
  if (!argsOk) throw new IpcRefused(`Refused ${channel}: invalid arguments.`);
  return session;
}

export function registerIpc(ipc: IpcMainLike, handlers: { invoke: InvokeHandlers; send: SendHandlers }, options: RegisterOptions): void {
  for (const name of Object.keys(INVOKE_CHANNELS) as InvokeName[]) {
    const channel = INVOKE_CHANNELS[name];
    const valid = INVOKE_VALIDATORS[name];
    const handler = handlers.invoke[name] as (session: WindowSession, ...args: readonly unknown[]) => Promise<unknown>;
    ipc.handle(channel, async (event, ...args) => {
      const session = admit(event, channel, valid(args), options);
      return handler(session, ...args);
    });
  }
  for (const name of Object.keys(SEND_CHANNELS) as SendName[]) {
    const channel = SEND_CHANNELS[name];
    const valid = SEND_VALIDATORS[name];
    const handler = handlers.send[name] as (session: WindowSession, ...args: readonly unknown[]) => void;
    ipc.on(channel, (event, ...args) => {
      let session: WindowSession;
      try {
        session = admit(event, channel, valid(args), options);
      } catch (error) {
        options.warn(error instanceof Error ? error.message : String(error));
        return;
      }
      handler(session, ...args);
    });
  }
}
