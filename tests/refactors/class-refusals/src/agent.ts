import { Agent } from "agents";

export class Bot extends Agent<Env> {
	hello(): string {
		return "hi";
	}
}
