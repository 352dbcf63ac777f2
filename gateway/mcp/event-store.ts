// Per-session SSE event store so a client can resume a stream with Last-Event-ID. Bounded: each
// stream keeps its newest `maxEventsPerStream` events, and only the newest `maxStreams` streams.
import type { EventStore } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import type { JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";

interface StoredEvent {
  id: string;
  message: JSONRPCMessage;
}

export class BoundedEventStore implements EventStore {
  /** insertion order = age, so the first key is the stream to forget first */
  private readonly streams = new Map<string, StoredEvent[]>();
  private readonly streamOfEvent = new Map<string, string>();
  private sequence = 0;

  constructor(
    private readonly maxEventsPerStream: number,
    private readonly maxStreams: number,
  ) {}

  async storeEvent(streamId: string, message: JSONRPCMessage): Promise<string> {
    let events = this.streams.get(streamId);
    if (!events) {
      events = [];
      this.streams.set(streamId, events);
      this.forgetOldStreams();
    }
    const id = `${++this.sequence}`;
    events.push({ id, message });
    this.streamOfEvent.set(id, streamId);
    while (events.length > this.maxEventsPerStream) {
      this.streamOfEvent.delete(events.shift()!.id);
    }
    return id;
  }

  async getStreamIdForEventId(eventId: string): Promise<string | undefined> {
    return this.streamOfEvent.get(eventId);
  }

  async replayEventsAfter(
    lastEventId: string,
    { send }: { send: (eventId: string, message: JSONRPCMessage) => Promise<void> },
  ): Promise<string> {
    const streamId = this.streamOfEvent.get(lastEventId);
    if (streamId === undefined) return "";
    const events = this.streams.get(streamId) ?? [];
    const after = events.findIndex((event) => event.id === lastEventId);
    for (const event of events.slice(after + 1)) await send(event.id, event.message);
    return streamId;
  }

  eventCount(): number {
    return this.streamOfEvent.size;
  }

  private forgetOldStreams(): void {
    for (const [streamId, events] of this.streams) {
      if (this.streams.size <= this.maxStreams) return;
      for (const event of events) this.streamOfEvent.delete(event.id);
      this.streams.delete(streamId);
    }
  }
}
