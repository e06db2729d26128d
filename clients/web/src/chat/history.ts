// The conversation's history: its events, and the conversation as it stood after any of them.
export async function openHistory(_conversationId: string) {}
