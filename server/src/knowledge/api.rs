//! The Durable Objects runtime API as static data: every interface a DO
//! author touches (`ctx`, `ctx.storage`, SQL, sync KV, namespaces, IDs,
//! stubs, hibernatable WebSockets, alarm info) and the handler methods a DO
//! class may define. Descriptions are paraphrased; numbers come from the
//! fact sheet (`do-facts.md` §1–§3). Where sources disagree, both sides are
//! mentioned briefly.

use super::{BackendRequirement, Handler, Interface, Member, MemberKind};

const BASE: &str = "https://developers.cloudflare.com/durable-objects/api/base/";
const STATE: &str = "https://developers.cloudflare.com/durable-objects/api/state/";
const STORAGE: &str = "https://developers.cloudflare.com/durable-objects/api/storage-api/";
const SQLITE: &str = "https://developers.cloudflare.com/durable-objects/api/sqlite-storage-api/";
const ALARMS: &str = "https://developers.cloudflare.com/durable-objects/api/alarms/";
const NAMESPACE: &str = "https://developers.cloudflare.com/durable-objects/api/namespace/";
const ID: &str = "https://developers.cloudflare.com/durable-objects/api/id/";
const STUB: &str = "https://developers.cloudflare.com/durable-objects/api/stub/";
const WEBSOCKETS: &str =
    "https://developers.cloudflare.com/durable-objects/best-practices/websockets/";

const NO_LIMITS: &[&str] = &[];

/// A method usable on any storage backend.
const fn method(
    name: &'static str,
    signature: &'static str,
    description: &'static str,
    limits: &'static [&'static str],
    docs: &'static str,
    snippet: &'static str,
) -> Member {
    Member {
        name,
        kind: MemberKind::Method,
        signature,
        description,
        limits,
        backend: BackendRequirement::Any,
        docs,
        snippet,
    }
}

/// A property usable on any storage backend; completion inserts its name.
const fn prop(
    name: &'static str,
    signature: &'static str,
    description: &'static str,
    limits: &'static [&'static str],
    docs: &'static str,
) -> Member {
    Member {
        name,
        kind: MemberKind::Property,
        signature,
        description,
        limits,
        backend: BackendRequirement::Any,
        docs,
        snippet: name,
    }
}

/// Marks a member as available only on SQLite-backed classes.
const fn sqlite(member: Member) -> Member {
    Member {
        backend: BackendRequirement::SqliteOnly,
        ..member
    }
}

// ---------------------------------------------------------------------------
// DurableObjectState (`this.ctx`)
// ---------------------------------------------------------------------------

const STATE_MEMBERS: &[Member] = &[
    prop(
        "id",
        "readonly id: DurableObjectId",
        "Identifier of the object this code runs in. Its `name` and `jurisdiction` are filled in from inside the object too (names only up to 1,024 bytes).",
        NO_LIMITS,
        STATE,
    ),
    prop(
        "storage",
        "readonly storage: DurableObjectStorage",
        "Entry point to this object's private, transactional storage: async KV, alarms, and on SQLite-backed classes also SQL, sync KV and point-in-time recovery.",
        NO_LIMITS,
        STATE,
    ),
    prop(
        "exports",
        "readonly exports: Cloudflare.Exports",
        "Loopback bindings to the top-level exports of this same Worker (entrypoints and DO namespaces). Needs compat flag `enable_ctx_exports`, on by default from 2025-11-17.",
        NO_LIMITS,
        STATE,
    ),
    prop(
        "props",
        "readonly props: Props",
        "Values handed to this class by whoever created it through a loopback binding or as a facet.",
        NO_LIMITS,
        STATE,
    ),
    prop(
        "container",
        "container?: Container",
        "Handle for controlling the container attached to this object; undefined unless the class has a container configured.",
        NO_LIMITS,
        STATE,
    ),
    prop(
        "facets",
        "facets: DurableObjectFacets",
        "Creates and manages named child objects (facets) that live inside this object's storage context: `get(name, startupOptions)`, `abort(name, reason)`, `delete(name)`, `clone(src, dst)`.",
        &[
            "facet names: at most 256 characters",
            "facet nesting: depth at most 4, counting the root object",
        ],
        STATE,
    ),
    method(
        "waitUntil",
        "waitUntil(promise: Promise<any>): void",
        "Lets background work finish after the response is sent by keeping the object resident until the promise settles. Older docs said the context only lasted 30 s (or 60 s) after the last client left.",
        &["keeps the object alive for at most 15 minutes per promise"],
        STATE,
        "waitUntil(${1:promise})",
    ),
    method(
        "blockConcurrencyWhile",
        "blockConcurrencyWhile<T>(callback: () => Promise<T>): Promise<T>",
        "Runs the callback while every other incoming event waits, which makes it the usual place for constructor-time schema setup or state loading. If the callback throws or times out, the object is reset.",
        &["30 s timeout; after that the object is reset"],
        STATE,
        "blockConcurrencyWhile(async () => {\n\t$0\n})",
    ),
    method(
        "acceptWebSocket",
        "acceptWebSocket(ws: WebSocket, tags?: string[]): void",
        "Hands the server end of a WebSocket to the runtime so the object can hibernate while the connection stays open; events then arrive on `webSocketMessage`/`webSocketClose`/`webSocketError`. Never call `ws.accept()` on the same socket.",
        &[
            "at most 32,768 hibernatable WebSockets per object",
            "at most 10 tags per socket, each at most 256 characters",
        ],
        STATE,
        "acceptWebSocket(${1:server}${2:, [${3:tag}]})",
    ),
    method(
        "getWebSockets",
        "getWebSockets(tag?: string): WebSocket[]",
        "Returns the hibernatable sockets attached to this object, optionally only those carrying a given tag. Sockets that are already closing may still appear in the list.",
        NO_LIMITS,
        STATE,
        "getWebSockets(${1})",
    ),
    method(
        "setWebSocketAutoResponse",
        "setWebSocketAutoResponse(maybeReqResp?: WebSocketRequestResponsePair): void",
        "Registers one exact message and its canned reply that the runtime answers by itself, without waking a hibernated object (handy for heartbeats). Calling it with no argument removes the pair.",
        &["request and response at most 2,048 each (docs say characters; the runtime error says bytes)"],
        STATE,
        "setWebSocketAutoResponse(new WebSocketRequestResponsePair(${1:\"ping\"}, ${2:\"pong\"}))",
    ),
    method(
        "getWebSocketAutoResponse",
        "getWebSocketAutoResponse(): WebSocketRequestResponsePair | null",
        "Gives back the auto-response pair currently registered, or null when there is none.",
        NO_LIMITS,
        STATE,
        "getWebSocketAutoResponse()",
    ),
    method(
        "getWebSocketAutoResponseTimestamp",
        "getWebSocketAutoResponseTimestamp(ws: WebSocket): Date | null",
        "Tells when the runtime last auto-replied on the given socket, or null if it never has; useful for spotting dead connections.",
        NO_LIMITS,
        STATE,
        "getWebSocketAutoResponseTimestamp(${1:ws})",
    ),
    method(
        "setHibernatableWebSocketEventTimeout",
        "setHibernatableWebSocketEventTimeout(timeoutMs?: number): void",
        "Caps how long a hibernatable WebSocket event handler may run. Passing 0 or nothing removes the cap.",
        &["at most 604,800,000 ms (7 days)"],
        STATE,
        "setHibernatableWebSocketEventTimeout(${1:timeoutMs})",
    ),
    method(
        "getHibernatableWebSocketEventTimeout",
        "getHibernatableWebSocketEventTimeout(): number | null",
        "Reads the handler time cap set earlier, or null when none is set.",
        NO_LIMITS,
        STATE,
        "getHibernatableWebSocketEventTimeout()",
    ),
    method(
        "getTags",
        "getTags(ws: WebSocket): string[]",
        "Lists the tags a socket was given when it was attached. Throws for sockets that did not go through `acceptWebSocket`.",
        NO_LIMITS,
        STATE,
        "getTags(${1:ws})",
    ),
    method(
        "abort",
        "abort(reason?: string, options?: DurableObjectAbortOptions): void",
        "Forces an immediate reset of the object; code inside the object cannot catch the resulting error. An alarm interrupted by the abort is retried unless `{ retryAlarm: false }` is passed (local dev needs Wrangler 4.126.0 or newer for that option).",
        NO_LIMITS,
        STATE,
        "abort(${1:reason})",
    ),
];

// ---------------------------------------------------------------------------
// DurableObjectStorage (`this.ctx.storage`)
// ---------------------------------------------------------------------------

const KV_KEY_LIMIT: &str = "key size: 2,048 bytes (KV backend)";
const KV_VALUE_LIMIT: &str =
    "value size: 131,072 bytes (KV backend; the runtime tolerates 34 extra bytes of serialization overhead)";
const SQLITE_ROW_LIMIT: &str =
    "key + value: 2 MB combined on SQLite per docs (the runtime allows 4 MiB since 2026-08-14)";
const BATCH_LIMIT: &str = "at most 128 keys per multi-key call";

const STORAGE_MEMBERS: &[Member] = &[
    method(
        "get",
        "get<T = unknown>(key: string, options?: DurableObjectGetOptions): Promise<T | undefined>\nget<T = unknown>(keys: string[], options?: DurableObjectGetOptions): Promise<Map<string, T>>",
        "Reads one value, or a batch of values when given an array of keys. A batch yields a Map ordered by UTF-8 key order in which absent keys are simply missing.",
        &[KV_KEY_LIMIT, BATCH_LIMIT],
        STORAGE,
        "get(${1:key})",
    ),
    method(
        "list",
        "list<T = unknown>(options?: DurableObjectListOptions): Promise<Map<string, T>>",
        "Scans keys in ascending order, optionally bounded by `start`/`startAfter`/`end`, a `prefix`, `reverse` and a `limit`. `start` and `startAfter` are mutually exclusive, `limit` must be positive, and `reverse` does not swap the meaning of `start`/`end`.",
        NO_LIMITS,
        STORAGE,
        "list(${1})",
    ),
    method(
        "put",
        "put<T>(key: string, value: T, options?: DurableObjectPutOptions): Promise<void>\nput<T>(entries: Record<string, T>, options?: DurableObjectPutOptions): Promise<void>",
        "Writes one structured-clonable value, or a whole object of entries at once. Writes issued without an intervening `await` are committed together atomically; storing `undefined` throws a TypeError.",
        &[KV_KEY_LIMIT, KV_VALUE_LIMIT, BATCH_LIMIT, SQLITE_ROW_LIMIT],
        STORAGE,
        "put(${1:key}, ${2:value})",
    ),
    method(
        "delete",
        "delete(key: string, options?: DurableObjectPutOptions): Promise<boolean>\ndelete(keys: string[], options?: DurableObjectPutOptions): Promise<number>",
        "Removes a key and reports whether it was present, or removes an array of keys and reports how many existed.",
        &[BATCH_LIMIT],
        STORAGE,
        "delete(${1:key})",
    ),
    method(
        "deleteAll",
        "deleteAll(options?: DurableObjectPutOptions): Promise<void>",
        "Erases everything this object has stored; on SQLite it is atomic (SQL and KV together), on the KV backend it may stop partway. From compat date 2026-02-24 (`delete_all_deletes_alarm`) it also removes the alarm on both backends; with earlier dates the alarm survives and needs `deleteAlarm()`.",
        NO_LIMITS,
        STORAGE,
        "deleteAll()",
    ),
    method(
        "transaction",
        "transaction<T>(closure: (txn: DurableObjectTransaction) => Promise<T>): Promise<T>",
        "Runs an async closure as one explicit transaction whose `txn` handle carries the reads and writes. On SQLite-backed classes this is unnecessary, since every storage call already joins the implicit transaction.",
        NO_LIMITS,
        STORAGE,
        "transaction(async (${1:txn}) => {\n\t$0\n})",
    ),
    sqlite(method(
        "transactionSync",
        "transactionSync<T>(closure: () => T): T",
        "Runs a synchronous closure atomically and returns its result; if the closure throws, all of its writes are undone. Use it instead of `BEGIN`/`SAVEPOINT` in SQL. Throws on KV-backed classes.",
        NO_LIMITS,
        SQLITE,
        "transactionSync(() => {\n\t$0\n})",
    )),
    method(
        "getAlarm",
        "getAlarm(options?: DurableObjectGetAlarmOptions): Promise<number | null>",
        "Reports when the pending alarm will fire, in milliseconds since the Unix epoch, or null when none is set. The alarms page shows it as synchronous; the types return a Promise.",
        NO_LIMITS,
        ALARMS,
        "getAlarm()",
    ),
    method(
        "setAlarm",
        "setAlarm(scheduledTime: number | Date, options?: DurableObjectSetAlarmOptions): Promise<void>",
        "Schedules the object's one alarm, overwriting any earlier one; a time that is now or past fires almost immediately, so re-arming that way inside `alarm()` can loop. A time of 0 or less throws. The alarms page shows `setAlarm(ms: number): void`; the types accept `Date` too and return a Promise.",
        &[
            "one alarm per object",
            "failed alarms retry up to 6 times with exponential backoff starting at 2 s",
            "an alarm handler may run for at most 15 minutes of wall time",
            "billed as 1 row written (SQLite) or 1 write unit (KV)",
        ],
        ALARMS,
        "setAlarm(${1:Date.now() + ${2:60_000}})",
    ),
    method(
        "deleteAlarm",
        "deleteAlarm(options?: DurableObjectSetAlarmOptions): Promise<void>",
        "Cancels the pending alarm. An alarm handler that is already running keeps going; calling this inside the handler only tries, without guarantee, to suppress retries.",
        NO_LIMITS,
        ALARMS,
        "deleteAlarm()",
    ),
    method(
        "sync",
        "sync(): Promise<void>",
        "Waits until every write issued so far has been made durable.",
        NO_LIMITS,
        STORAGE,
        "sync()",
    ),
    sqlite(prop(
        "sql",
        "readonly sql: SqlStorage",
        "The per-object SQLite database. Available only when the class was created with `new_sqlite_classes` (or `storage: \"sqlite\"`); KV-backed classes throw on access.",
        NO_LIMITS,
        SQLITE,
    )),
    sqlite(prop(
        "kv",
        "readonly kv: SyncKvStorage",
        "Synchronous key-value API over the same data as the async methods. Only SQLite-backed classes have it; KV-backed classes throw on access.",
        NO_LIMITS,
        SQLITE,
    )),
    sqlite(method(
        "getCurrentBookmark",
        "getCurrentBookmark(): Promise<string>",
        "Produces a point-in-time-recovery bookmark for the present state of the database.",
        NO_LIMITS,
        SQLITE,
        "getCurrentBookmark()",
    )),
    sqlite(method(
        "getBookmarkForTime",
        "getBookmarkForTime(timestamp: number | Date): Promise<string>",
        "Produces a point-in-time-recovery bookmark close to an earlier moment.",
        &["the moment must lie within the last 30 days"],
        SQLITE,
        "getBookmarkForTime(${1:Date.now() - ${2:3_600_000}})",
    )),
    sqlite(method(
        "onNextSessionRestoreBookmark",
        "onNextSessionRestoreBookmark(bookmark: string): Promise<string>",
        "Arranges for the database to roll back to the bookmark the next time the object starts, and returns a bookmark that undoes the restore; call `ctx.abort()` afterwards to restart. (For snapshots, docs place `onNextSessionRestore` on `ctx` while experimental types put it on `ctx.storage`.)",
        &["restore point must be within the 30-day recovery window"],
        SQLITE,
        "onNextSessionRestoreBookmark(${1:bookmark})",
    )),
];

// ---------------------------------------------------------------------------
// SQL
// ---------------------------------------------------------------------------

const SQL_STORAGE_MEMBERS: &[Member] = &[
    sqlite(method(
        "exec",
        "exec<T extends Record<string, SqlStorageValue>>(query: string, ...bindings: any[]): SqlStorageCursor<T>",
        "Executes one or more statements separated by `;`, binding `?` parameters; the bindings and the returned cursor belong to the last statement only. `BEGIN TRANSACTION` and `SAVEPOINT` are refused, and integers beyond the JS safe range lose precision.",
        &[
            "at most 100 bound parameters per query",
            "statement text at most 100 KB (100,000 bytes)",
            "at most 100 columns per table",
            "string/BLOB/row at most 2 MB per docs (runtime allows 4 MiB since 2026-08-14)",
            "at most 32 arguments per SQL function per docs (runtime allows 127)",
            "LIKE/GLOB patterns at most 50 bytes",
        ],
        SQLITE,
        "exec(${1:\"SELECT * FROM ${2:table} WHERE id = ?\"}, ${3:id})",
    )),
    sqlite(prop(
        "databaseSize",
        "readonly databaseSize: number",
        "How many bytes the object's SQLite database currently occupies (an empty one is about 12 KB).",
        &["10 GB per object"],
        SQLITE,
    )),
    sqlite(prop(
        "Cursor",
        "readonly Cursor: typeof SqlStorageCursor",
        "The cursor class constructor, mainly useful for `instanceof` checks.",
        NO_LIMITS,
        SQLITE,
    )),
    sqlite(prop(
        "Statement",
        "readonly Statement: typeof SqlStorageStatement",
        "The prepared-statement class constructor. It has no members in the stable types; `prepare()` and `ingest()` exist only in the experimental ones.",
        NO_LIMITS,
        SQLITE,
    )),
];

const CURSOR_MEMBERS: &[Member] = &[
    sqlite(method(
        "next",
        "next(): IteratorResult<T, undefined>",
        "Advances by one row and returns it as an object keyed by column name, or `done` once the rows run out.",
        NO_LIMITS,
        SQLITE,
        "next()",
    )),
    sqlite(method(
        "toArray",
        "toArray(): T[]",
        "Drains every remaining row into an array of row objects.",
        NO_LIMITS,
        SQLITE,
        "toArray()",
    )),
    sqlite(method(
        "one",
        "one(): T",
        "Returns the only row of the result, throwing if there are zero rows or more than one.",
        NO_LIMITS,
        SQLITE,
        "one()",
    )),
    sqlite(method(
        "raw",
        "raw<U extends SqlStorageValue[]>(): IterableIterator<U>",
        "Iterates the rows as plain value arrays without column names, in `columnNames` order. It advances the same position as the cursor itself.",
        NO_LIMITS,
        SQLITE,
        "raw()",
    )),
    sqlite(prop(
        "columnNames",
        "readonly columnNames: string[]",
        "Names of the result columns, in the order `raw()` yields values.",
        NO_LIMITS,
        SQLITE,
    )),
    sqlite(prop(
        "rowsRead",
        "readonly rowsRead: number",
        "Count of rows the query has read so far; this is the number billed as rows read.",
        NO_LIMITS,
        SQLITE,
    )),
    sqlite(prop(
        "rowsWritten",
        "readonly rowsWritten: number",
        "Count of rows the query has written so far, billed as rows written; index updates and virtual-table writes add to it.",
        NO_LIMITS,
        SQLITE,
    )),
];

// ---------------------------------------------------------------------------
// Synchronous KV (`ctx.storage.kv`)
// ---------------------------------------------------------------------------

const SYNC_KV_MEMBERS: &[Member] = &[
    sqlite(method(
        "get",
        "get<T = unknown>(key: string): T | undefined",
        "Reads one value synchronously, giving undefined for a missing key.",
        NO_LIMITS,
        SQLITE,
        "get(${1:key})",
    )),
    sqlite(method(
        "put",
        "put<T>(key: string, value: T): void",
        "Stores one structured-clonable value synchronously as part of the implicit transaction.",
        &[SQLITE_ROW_LIMIT],
        SQLITE,
        "put(${1:key}, ${2:value})",
    )),
    sqlite(method(
        "delete",
        "delete(key: string): boolean",
        "Removes one key synchronously and says whether it existed.",
        NO_LIMITS,
        SQLITE,
        "delete(${1:key})",
    )),
    sqlite(method(
        "list",
        "list<T = unknown>(options?: SyncKvListOptions): Iterable<[string, T]>",
        "Walks key/value pairs in key order with the same range options as async `list` (`start`, `startAfter`, `end`, `prefix`, `reverse`, `limit`) but no concurrency or cache flags.",
        NO_LIMITS,
        SQLITE,
        "list(${1})",
    )),
];

// ---------------------------------------------------------------------------
// DurableObjectTransaction (`txn` inside `storage.transaction`)
// ---------------------------------------------------------------------------

const TXN_MEMBERS: &[Member] = &[
    method(
        "get",
        "get<T = unknown>(key: string, options?: DurableObjectGetOptions): Promise<T | undefined>\nget<T = unknown>(keys: string[], options?: DurableObjectGetOptions): Promise<Map<string, T>>",
        "Reads one key or a batch of keys inside the transaction.",
        &[KV_KEY_LIMIT, BATCH_LIMIT],
        STORAGE,
        "get(${1:key})",
    ),
    method(
        "list",
        "list<T = unknown>(options?: DurableObjectListOptions): Promise<Map<string, T>>",
        "Range or prefix scan that sees the transaction's own uncommitted writes.",
        NO_LIMITS,
        STORAGE,
        "list(${1})",
    ),
    method(
        "put",
        "put<T>(key: string, value: T, options?: DurableObjectPutOptions): Promise<void>\nput<T>(entries: Record<string, T>, options?: DurableObjectPutOptions): Promise<void>",
        "Queues one value or a batch of entries to be written when the transaction commits.",
        &[KV_KEY_LIMIT, KV_VALUE_LIMIT, BATCH_LIMIT],
        STORAGE,
        "put(${1:key}, ${2:value})",
    ),
    method(
        "delete",
        "delete(key: string, options?: DurableObjectPutOptions): Promise<boolean>\ndelete(keys: string[], options?: DurableObjectPutOptions): Promise<number>",
        "Removes one key or many keys as part of the transaction.",
        &[BATCH_LIMIT],
        STORAGE,
        "delete(${1:key})",
    ),
    method(
        "getAlarm",
        "getAlarm(options?: DurableObjectGetAlarmOptions): Promise<number | null>",
        "Reads the pending alarm time as seen from inside the transaction.",
        NO_LIMITS,
        ALARMS,
        "getAlarm()",
    ),
    method(
        "setAlarm",
        "setAlarm(scheduledTime: number | Date, options?: DurableObjectSetAlarmOptions): Promise<void>",
        "Sets or replaces the alarm; the change only takes effect if the transaction commits.",
        &["one alarm per object"],
        ALARMS,
        "setAlarm(${1:Date.now() + ${2:60_000}})",
    ),
    method(
        "deleteAlarm",
        "deleteAlarm(options?: DurableObjectSetAlarmOptions): Promise<void>",
        "Cancels the alarm as part of the transaction.",
        NO_LIMITS,
        ALARMS,
        "deleteAlarm()",
    ),
    method(
        "rollback",
        "rollback(): void",
        "Abandons the transaction so none of its writes are applied; any later use of `txn` throws.",
        NO_LIMITS,
        STORAGE,
        "rollback()",
    ),
];

// ---------------------------------------------------------------------------
// Namespace, ID, stub
// ---------------------------------------------------------------------------

const NAMESPACE_MEMBERS: &[Member] = &[
    method(
        "newUniqueId",
        "newUniqueId(options?: DurableObjectNamespaceNewUniqueIdOptions): DurableObjectId",
        "Generates a fresh random ID. Because no global name lookup is needed, the first request to it is quicker; for a jurisdiction, docs prefer `namespace.jurisdiction(j).newUniqueId()` over the option.",
        NO_LIMITS,
        NAMESPACE,
        "newUniqueId()",
    ),
    method(
        "idFromName",
        "idFromName(name: string): DurableObjectId",
        "Derives the same ID every time for the same name, so one name always reaches one object (per jurisdiction).",
        NO_LIMITS,
        NAMESPACE,
        "idFromName(${1:name})",
    ),
    method(
        "idFromString",
        "idFromString(id: string): DurableObjectId",
        "Turns the 64-hex-digit text form back into an ID. Throws when the text is malformed or was produced by a different namespace.",
        NO_LIMITS,
        NAMESPACE,
        "idFromString(${1:id})",
    ),
    method(
        "get",
        "get(id: DurableObjectId, options?: DurableObjectNamespaceGetDurableObjectOptions): DurableObjectStub<T>",
        "Returns a stub right away without contacting the object, which is only created on the first call. Options: `locationHint` (honoured only when the object is first created), `routingMode: \"primary-only\"` and `retry` tuning.",
        NO_LIMITS,
        NAMESPACE,
        "get(${1:id})",
    ),
    method(
        "getByName",
        "getByName(name: string, options?: DurableObjectNamespaceGetDurableObjectOptions): DurableObjectStub<T>",
        "Shorthand for `get(idFromName(name))`, available since 2025-08-21. Takes the same options as `get`.",
        NO_LIMITS,
        NAMESPACE,
        "getByName(${1:name})",
    ),
    method(
        "jurisdiction",
        "jurisdiction(jurisdiction: DurableObjectJurisdiction): DurableObjectNamespace<T>",
        "Returns a view of the namespace whose IDs are pinned to one jurisdiction (`eu`, `us`, `fedramp`, `fedramp-high`). The same name maps to different IDs in different jurisdictions, and passing an ID from another jurisdiction to its `get` throws.",
        NO_LIMITS,
        NAMESPACE,
        "jurisdiction(${1|\"eu\",\"us\",\"fedramp\",\"fedramp-high\"|})",
    ),
];

const ID_MEMBERS: &[Member] = &[
    method(
        "toString",
        "toString(): string",
        "Renders the ID as 64 hexadecimal digits, suitable for storing and later passing to `idFromString`.",
        NO_LIMITS,
        ID,
        "toString()",
    ),
    method(
        "equals",
        "equals(other: DurableObjectId): boolean",
        "Compares two IDs by value; use it instead of `===`.",
        NO_LIMITS,
        ID,
        "equals(${1:other})",
    ),
    prop(
        "name",
        "readonly name?: string",
        "The name the ID came from via `idFromName`/`getByName`; also populated inside the object since 2026-03-26. Undefined for `newUniqueId`, `idFromString` and over-long names.",
        &["only populated for names of at most 1,024 bytes"],
        ID,
    ),
    prop(
        "jurisdiction",
        "readonly jurisdiction?: string",
        "The jurisdiction the ID is bound to, if any; also visible inside the object since 2026-05-18 (one changelog copy says 2026-03-26). Alarms scheduled before 2026-03-15 run without it.",
        NO_LIMITS,
        ID,
    ),
];

const STUB_MEMBERS: &[Member] = &[
    method(
        "fetch",
        "fetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response>",
        "Delivers an HTTP request to the object's `fetch()` handler. The URL must be absolute (compat flag `durable_object_fetch_requires_full_url`, since 2021-11-10). Public methods of the class are also callable directly on the stub as RPC.",
        NO_LIMITS,
        STUB,
        "fetch(${1:request})",
    ),
    method(
        "connect",
        "connect(address: SocketAddress | string, options?: SocketOptions): Socket",
        "Opens a TCP-style socket to the object, delivered to its `connect()` handler.",
        NO_LIMITS,
        STUB,
        "connect(${1:address})",
    ),
    prop(
        "id",
        "readonly id: DurableObjectId",
        "ID of the object this stub talks to.",
        NO_LIMITS,
        STUB,
    ),
    prop(
        "name",
        "readonly name?: string",
        "Name used to build the stub, when it came from a name.",
        NO_LIMITS,
        STUB,
    ),
];

// ---------------------------------------------------------------------------
// WebSocket (DO-relevant members only), alarm info, auto-response pair
// ---------------------------------------------------------------------------

const WEBSOCKET_MEMBERS: &[Member] = &[
    method(
        "serializeAttachment",
        "serializeAttachment(attachment: any): void",
        "Saves a small structured-clonable value on the socket that is still there after the object hibernates and wakes; ideal for per-connection session data.",
        &["at most 16,384 bytes once serialized (was 2,048 bytes before 2026-02-23)"],
        WEBSOCKETS,
        "serializeAttachment(${1:attachment})",
    ),
    method(
        "deserializeAttachment",
        "deserializeAttachment(): any | null",
        "Reads back the value most recently saved with `serializeAttachment`, or null if nothing was saved.",
        NO_LIMITS,
        WEBSOCKETS,
        "deserializeAttachment()",
    ),
    method(
        "send",
        "send(message: string | ArrayBuffer | ArrayBufferView): void",
        "Sends a text or binary message to the peer.",
        &["incoming messages at most 32 MiB"],
        WEBSOCKETS,
        "send(${1:message})",
    ),
    method(
        "close",
        "close(code?: number, reason?: string): void",
        "Starts the closing handshake. From compat date 2026-04-07 the runtime answers a peer's Close frame itself, so calling this inside `webSocketClose` is optional.",
        &["close reason at most 123 bytes of UTF-8 (longer throws from compat date 2026-03-03)"],
        WEBSOCKETS,
        "close(${1:1000}, ${2:\"reason\"})",
    ),
    method(
        "accept",
        "accept(options?: WebSocketAcceptOptions): void",
        "Takes the socket in the standard, non-hibernating way so events are delivered to `addEventListener` handlers and the object stays pinned in memory. Not for hibernation: use `ctx.acceptWebSocket(ws)` instead and never combine the two.",
        NO_LIMITS,
        WEBSOCKETS,
        "accept()",
    ),
];

const ALARM_INFO_MEMBERS: &[Member] = &[
    prop(
        "isRetry",
        "readonly isRetry: boolean",
        "True when this run repeats an alarm whose earlier attempt failed.",
        NO_LIMITS,
        ALARMS,
    ),
    prop(
        "retryCount",
        "readonly retryCount: number",
        "How many times this alarm has already been retried.",
        &["at most 6 retries"],
        ALARMS,
    ),
    prop(
        "scheduledTime",
        "readonly scheduledTime: number",
        "The time the alarm was set for, in ms since the epoch. Present in the types; the alarms page does not mention it.",
        NO_LIMITS,
        ALARMS,
    ),
];

const PAIR_MEMBERS: &[Member] = &[
    prop(
        "request",
        "get request(): string",
        "The exact incoming message that triggers the automatic reply. The types expose a getter; the state page calls it `getRequest()`.",
        &["at most 2,048 characters/bytes"],
        STATE,
    ),
    prop(
        "response",
        "get response(): string",
        "The reply the runtime sends back for the matching message. The types expose a getter; the state page calls it `getResponse()`.",
        &["at most 2,048 characters/bytes"],
        STATE,
    ),
];

static INTERFACES: &[Interface] = &[
    Interface {
        name: "DurableObjectState",
        description: "Per-object context passed to the constructor and kept as `this.ctx`: storage, WebSocket hibernation, concurrency control and lifecycle helpers.",
        members: STATE_MEMBERS,
    },
    Interface {
        name: "DurableObjectStorage",
        description: "The object's private, strongly consistent storage (`ctx.storage`). Async KV and alarms work on both backends; SQL, sync KV, `transactionSync` and point-in-time recovery need a SQLite-backed class.",
        members: STORAGE_MEMBERS,
    },
    Interface {
        name: "SqlStorage",
        description: "SQLite database of a SQLite-backed object (`ctx.storage.sql`). Async KV data lives in a hidden `__cf_kv` table that SQL cannot read.",
        members: SQL_STORAGE_MEMBERS,
    },
    Interface {
        name: "SqlStorageCursor",
        description: "Result of `sql.exec()`; iterable with `for...of`. Consume it fully before the next `await`, since it gives no snapshot across awaits.",
        members: CURSOR_MEMBERS,
    },
    Interface {
        name: "SyncKvStorage",
        description: "Synchronous key-value API of SQLite-backed objects (`ctx.storage.kv`), the blocking counterpart of the async KV methods.",
        members: SYNC_KV_MEMBERS,
    },
    Interface {
        name: "DurableObjectTransaction",
        description: "Handle passed to the `storage.transaction()` closure. Same KV and alarm methods as storage plus `rollback()`, but no `deleteAll()`. Redundant on SQLite-backed classes.",
        members: TXN_MEMBERS,
    },
    Interface {
        name: "DurableObjectNamespace",
        description: "The binding for a DO class in `env`: makes IDs and stubs and scopes them to jurisdictions.",
        members: NAMESPACE_MEMBERS,
    },
    Interface {
        name: "DurableObjectId",
        description: "Opaque identifier of one object within a namespace.",
        members: ID_MEMBERS,
    },
    Interface {
        name: "DurableObjectStub",
        description: "Client-side handle to one object. Besides these members, every public method of the class is callable as an async RPC call; handler names (`alarm`, `connect`, `webSocket*`) and `dup` are not.",
        members: STUB_MEMBERS,
    },
    Interface {
        name: "WebSocket",
        description: "The members of a WebSocket that matter inside a Durable Object, mostly for the hibernation API.",
        members: WEBSOCKET_MEMBERS,
    },
    Interface {
        name: "AlarmInvocationInfo",
        description: "Optional argument of `alarm()` describing retries and the scheduled time. The alarms page lists only `retryCount` and `isRetry`; the types add `scheduledTime`.",
        members: ALARM_INFO_MEMBERS,
    },
    Interface {
        name: "WebSocketRequestResponsePair",
        description: "Fixed message/reply pair for `ctx.setWebSocketAutoResponse`, built with `new WebSocketRequestResponsePair(request, response)`.",
        members: PAIR_MEMBERS,
    },
];

/// Every interface the knowledge base describes.
pub fn all_interfaces() -> &'static [Interface] {
    INTERFACES
}

/// Looks an interface up by its exact TypeScript name.
pub fn interface(name: &str) -> Option<&'static Interface> {
    INTERFACES.iter().find(|i| i.name == name)
}

/// Handler methods a DO class may define.
pub static HANDLERS: &[Handler] = &[
    Handler {
        name: "fetch",
        signature: "fetch(request: Request): Response | Promise<Response>",
        description: "HTTP entry point, invoked by `stub.fetch()`. For non-HTTP calls, public RPC methods are usually simpler.",
        snippet: "async fetch(request: Request): Promise<Response> {\n\t$0\n}",
        docs: BASE,
    },
    Handler {
        name: "alarm",
        signature: "alarm(alarmInfo?: AlarmInvocationInfo): void | Promise<void>",
        description: "Runs when the alarm set with `ctx.storage.setAlarm()` comes due. Throwing makes the runtime retry it (up to 6 times, backing off from 2 s); delivery is at least once.",
        snippet: "async alarm(alarmInfo?: AlarmInvocationInfo): Promise<void> {\n\t$0\n}",
        docs: ALARMS,
    },
    Handler {
        name: "webSocketMessage",
        signature: "webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): void | Promise<void>",
        description: "Receives each message on a socket attached with `ctx.acceptWebSocket()`, waking the object if it hibernated. Binary data arrives as ArrayBuffer regardless of `binaryType`.",
        snippet: "async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {\n\t$0\n}",
        docs: WEBSOCKETS,
    },
    Handler {
        name: "webSocketClose",
        signature: "webSocketClose(ws: WebSocket, code: number, reason: string, wasClean: boolean): void | Promise<void>",
        description: "Called when a hibernatable socket is closed. From compat date 2026-04-07 the runtime sends the reply Close frame itself, so calling `ws.close()` here is optional.",
        snippet: "async webSocketClose(ws: WebSocket, code: number, reason: string, wasClean: boolean): Promise<void> {\n\t$0\n}",
        docs: WEBSOCKETS,
    },
    Handler {
        name: "webSocketError",
        signature: "webSocketError(ws: WebSocket, error: unknown): void | Promise<void>",
        description: "Called when a hibernatable socket fails with an error.",
        snippet: "async webSocketError(ws: WebSocket, error: unknown): Promise<void> {\n\t$0\n}",
        docs: WEBSOCKETS,
    },
    Handler {
        name: "connect",
        signature: "connect(socket: Socket): void | Promise<void>",
        description: "Accepts incoming TCP sockets opened with `stub.connect()`. Declared in the types only; the DO docs do not cover it.",
        snippet: "async connect(socket: Socket): Promise<void> {\n\t$0\n}",
        docs: BASE,
    },
];

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    const EXPECTED: &[&str] = &[
        "DurableObjectState",
        "DurableObjectStorage",
        "SqlStorage",
        "SqlStorageCursor",
        "SyncKvStorage",
        "DurableObjectTransaction",
        "DurableObjectNamespace",
        "DurableObjectId",
        "DurableObjectStub",
        "WebSocket",
        "AlarmInvocationInfo",
        "WebSocketRequestResponsePair",
    ];

    #[test]
    fn all_expected_interfaces_exist_and_are_unique() {
        let names: Vec<_> = all_interfaces().iter().map(|i| i.name).collect();
        assert_eq!(names.len(), EXPECTED.len());
        for name in EXPECTED {
            assert!(interface(name).is_some(), "missing interface {name}");
        }
        let unique: HashSet<_> = names.iter().collect();
        assert_eq!(unique.len(), names.len());
        assert!(interface("NoSuchThing").is_none());
    }

    #[test]
    fn every_interface_has_members_and_a_description() {
        for i in all_interfaces() {
            assert!(!i.members.is_empty(), "{} has no members", i.name);
            assert!(
                !i.description.trim().is_empty(),
                "{} has no description",
                i.name
            );
        }
    }

    #[test]
    fn every_member_is_documented() {
        for i in all_interfaces() {
            for m in i.members {
                let who = format!("{}.{}", i.name, m.name);
                assert!(!m.name.is_empty(), "{who}: empty name");
                assert!(!m.signature.trim().is_empty(), "{who}: empty signature");
                assert!(!m.description.trim().is_empty(), "{who}: empty description");
                assert!(!m.snippet.trim().is_empty(), "{who}: empty snippet");
                assert!(
                    m.docs.starts_with("https://developers.cloudflare.com/"),
                    "{who}: bad docs url {}",
                    m.docs
                );
                assert!(
                    m.limits.iter().all(|l| !l.trim().is_empty()),
                    "{who}: empty limit"
                );
                // Signatures name the member they describe.
                assert!(
                    m.signature.contains(m.name),
                    "{who}: signature does not mention the member"
                );
                // Completion inserts the member name first.
                assert!(
                    m.snippet.starts_with(m.name),
                    "{who}: snippet must start with name"
                );
                match m.kind {
                    MemberKind::Method => {
                        assert!(
                            m.snippet.contains('('),
                            "{who}: method snippet needs a call"
                        )
                    }
                    MemberKind::Property => assert_eq!(m.snippet, m.name, "{who}"),
                }
            }
        }
    }

    #[test]
    fn member_names_are_unique_per_interface() {
        for i in all_interfaces() {
            let mut seen = HashSet::new();
            for m in i.members {
                assert!(seen.insert(m.name), "{}.{} is listed twice", i.name, m.name);
            }
            assert!(i.member(i.members[0].name).is_some());
        }
    }

    #[test]
    fn sqlite_only_storage_members_are_exactly_the_six() {
        let storage = interface("DurableObjectStorage").unwrap();
        let mut got: Vec<_> = storage
            .members
            .iter()
            .filter(|m| m.backend == BackendRequirement::SqliteOnly)
            .map(|m| m.name)
            .collect();
        got.sort_unstable();
        let mut want = vec![
            "sql",
            "kv",
            "transactionSync",
            "getCurrentBookmark",
            "getBookmarkForTime",
            "onNextSessionRestoreBookmark",
        ];
        want.sort_unstable();
        assert_eq!(got, want);
    }

    #[test]
    fn interfaces_reached_only_through_sqlite_are_sqlite_only() {
        for name in ["SqlStorage", "SqlStorageCursor", "SyncKvStorage"] {
            for m in interface(name).unwrap().members {
                assert_eq!(
                    m.backend,
                    BackendRequirement::SqliteOnly,
                    "{name}.{}",
                    m.name
                );
            }
        }
        for name in [
            "DurableObjectState",
            "DurableObjectTransaction",
            "WebSocket",
        ] {
            for m in interface(name).unwrap().members {
                assert_eq!(m.backend, BackendRequirement::Any, "{name}.{}", m.name);
            }
        }
    }

    #[test]
    fn limits_carry_the_documented_numbers() {
        let limits = |iface: &str, member: &str| -> String {
            interface(iface)
                .unwrap()
                .member(member)
                .unwrap_or_else(|| panic!("{iface}.{member}"))
                .limits
                .join(" | ")
        };
        let put = limits("DurableObjectStorage", "put");
        for n in ["2,048", "131,072", "128"] {
            assert!(put.contains(n), "put limits lack {n}: {put}");
        }
        assert!(limits("DurableObjectState", "blockConcurrencyWhile").contains("30 s"));
        let accept = limits("DurableObjectState", "acceptWebSocket");
        assert!(accept.contains("32,768") && accept.contains("10 tags") && accept.contains("256"));
        assert!(limits("WebSocket", "serializeAttachment").contains("16,384"));
        let exec = limits("SqlStorage", "exec");
        assert!(exec.contains("100 bound parameters") && exec.contains("100 KB"));
        assert!(limits("DurableObjectStorage", "getBookmarkForTime").contains("30 days"));
    }

    #[test]
    fn disagreements_are_mentioned() {
        let desc = |iface: &str, member: &str| {
            interface(iface)
                .unwrap()
                .member(member)
                .unwrap()
                .description
        };
        assert!(desc("DurableObjectStorage", "deleteAll").contains("2026-02-24"));
        assert!(desc("WebSocket", "accept").contains("hibernation"));
        assert!(desc("WebSocketRequestResponsePair", "request").contains("getRequest()"));
        assert!(interface("AlarmInvocationInfo")
            .unwrap()
            .description
            .contains("scheduledTime"));
        assert!(interface("DurableObjectTransaction")
            .unwrap()
            .member("deleteAll")
            .is_none());
    }

    #[test]
    fn handlers_are_complete_and_have_class_body_snippets() {
        let names: Vec<_> = HANDLERS.iter().map(|h| h.name).collect();
        for want in [
            "fetch",
            "alarm",
            "webSocketMessage",
            "webSocketClose",
            "webSocketError",
        ] {
            assert!(names.contains(&want), "missing handler {want}");
        }
        let unique: HashSet<_> = names.iter().collect();
        assert_eq!(unique.len(), names.len());
        for h in HANDLERS {
            assert!(h.signature.starts_with(h.name), "{}", h.name);
            assert!(!h.description.trim().is_empty(), "{}", h.name);
            assert!(
                h.docs.starts_with("https://developers.cloudflare.com/"),
                "{}",
                h.name
            );
            assert!(
                h.snippet.starts_with(&format!("async {}(", h.name)),
                "{}",
                h.name
            );
            assert!(
                h.snippet.contains("$0") && h.snippet.ends_with('}'),
                "{}",
                h.name
            );
        }
        let alarm = HANDLERS.iter().find(|h| h.name == "alarm").unwrap();
        assert_eq!(
            alarm.snippet,
            "async alarm(alarmInfo?: AlarmInvocationInfo): Promise<void> {\n\t$0\n}"
        );
    }

    /// Placeholders in snippets must be closed (escaped `\}` and literal
    /// braces outside placeholders aside), otherwise an editor would insert
    /// garbage.
    #[test]
    fn snippet_placeholders_are_closed() {
        let check = |who: &str, s: &str| {
            let mut open = 0usize;
            let mut chars = s.chars().peekable();
            while let Some(c) = chars.next() {
                match c {
                    '\\' => {
                        chars.next();
                    }
                    '$' if chars.peek() == Some(&'{') => {
                        chars.next();
                        open += 1;
                    }
                    '}' if open > 0 => open -= 1,
                    _ => {}
                }
            }
            assert_eq!(open, 0, "{who}: unclosed placeholder in {s}");
        };
        for i in all_interfaces() {
            for m in i.members {
                check(&format!("{}.{}", i.name, m.name), m.snippet);
            }
        }
        for h in HANDLERS {
            check(h.name, h.snippet);
        }
    }
}
