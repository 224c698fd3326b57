export function room(): string {
	return "room";
}
