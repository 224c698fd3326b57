// The type information a real project has next to docs/demo: run.sh copies
// this file into the test's copy of the demo as worker-configuration.d.ts,
// where `wrangler types` writes it (docs/demo/tsconfig.json names it).
// Hand-written for the test, not generated: the same shape (an `Env`
// interface in `namespace Cloudflare`, then the runtime types), but only the
// declarations the demo uses, much shortened.
//
// Stale on purpose: written before the `ROOM_LIMIT` var was added to
// wrangler.jsonc, so `Env` lacks it. dols must offer `ROOM_LIMIT` after
// `env.` and leave `CHAT_ROOM` and `COUNTER` to TypeScript.

declare namespace Cloudflare {
  interface Env {
    CHAT_ROOM: DurableObjectNamespace /* ChatRoom is not exported by src/index */;
    COUNTER: DurableObjectNamespace<import("./src/index").Counter>;
  }
}
interface Env extends Cloudflare.Env {}

// Runtime types (the demo compiles with lib es2022 only).

declare class Request {
  constructor(input: string | Request);
  readonly url: string;
}
declare class Response {
  constructor(body?: string | null, init?: { status?: number; webSocket?: WebSocket | null });
  static json(data: unknown): Response;
}
declare class URL {
  constructor(url: string);
  readonly pathname: string;
}
interface WebSocket {
  accept(): void;
  send(message: string | ArrayBuffer): void;
  close(code?: number, reason?: string): void;
}
declare class WebSocketPair {
  0: WebSocket;
  1: WebSocket;
}

interface ExecutionContext {
  waitUntil(promise: Promise<unknown>): void;
}
interface ExportedHandler<Env = unknown> {
  fetch?(request: Request, env: Env, ctx: ExecutionContext): Response | Promise<Response>;
}

interface SqlStorageCursor<T> {
  toArray(): T[];
  one(): T;
}
interface SqlStorage {
  exec<T = Record<string, unknown>>(query: string, ...bindings: unknown[]): SqlStorageCursor<T>;
}
interface DurableObjectStorage {
  readonly sql: SqlStorage;
}
interface DurableObjectState {
  readonly storage: DurableObjectStorage;
  blockConcurrencyWhile<T>(callback: () => Promise<T>): Promise<T>;
  acceptWebSocket(ws: WebSocket, tags?: string[]): void;
  getWebSockets(tag?: string): WebSocket[];
}

interface DurableObjectId {
  toString(): string;
  readonly name?: string;
}
/** The methods of a Durable Object class a stub can call (RPC). */
type DurableObjectRpc<T> = {
  [K in keyof T as T[K] extends (...args: any[]) => any ? K : never]: T[K] extends (...args: infer A) => infer R
    ? (...args: A) => Promise<Awaited<R>>
    : never;
};
type DurableObjectStub<T = undefined> = {
  readonly id: DurableObjectId;
  readonly name?: string;
  fetch(input: string | Request): Promise<Response>;
} & (T extends undefined ? {} : Omit<DurableObjectRpc<T>, "fetch">);
interface DurableObjectNamespace<T = undefined> {
  idFromName(name: string): DurableObjectId;
  get(id: DurableObjectId): DurableObjectStub<T>;
  getByName(name: string): DurableObjectStub<T>;
}

declare module "cloudflare:workers" {
  export abstract class DurableObject<Env = unknown> {
    protected ctx: DurableObjectState;
    protected env: Env;
    constructor(ctx: DurableObjectState, env: Env);
  }
}
