export interface Env {
	OUTBOX: DurableObjectNamespace<import("./index").Outbox>;
}
