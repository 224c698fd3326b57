export function limit(request: Request): void {
	if (!request.url) {
		throw new Error("no url");
	}
}
