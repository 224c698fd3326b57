import { DurableObject } from "cloudflare:workers";

export class Counter extends DurableObject {
	count(): number {
		return 1;
	}
}
