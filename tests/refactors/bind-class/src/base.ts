import { DurableObject } from "cloudflare:workers";

export abstract class Base extends DurableObject {
	abstract name(): string;
}

export class Shared extends DurableObject {}

export class Child extends Shared {}
