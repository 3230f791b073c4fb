// A parser of text/event-stream (the server-sent events format), fed chunk by chunk, and a
// reader that follows a stream through fetch so that cookies, errors and cancel stay in our hands.

/** One dispatched event. */
export interface ServerSentEvent {
  readonly event: string;
  readonly data: string;
  readonly id: string | null;
  readonly retry: number | null;
}

/**
 * Incremental parser following the HTML standard's event-stream interpretation: lines end with
 * CRLF, LF or CR (also split across chunks), "field: value" with one optional space, comments
 * start with ":", a blank line dispatches, data lines join with "\n", events without data are
 * dropped, an unterminated event at the end of the stream is dropped.
 */
export class EventStreamParser {
  private buffer = '';
  private pendingCarriageReturn = false;
  private eventType = '';
  private dataLines: string[] = [];
  private hasData = false;
  private lastEventId: string | null = null;
  private retry: number | null = null;

  /** Feeds a chunk and returns the events it completed. */
  push(chunk: string): ServerSentEvent[] {
    const events: ServerSentEvent[] = [];
    let text = chunk;
    if (this.pendingCarriageReturn && text.startsWith('\n')) {
      text = text.slice(1);
    }
    this.pendingCarriageReturn = false;
    this.buffer += text;
    let start = 0;
    for (let index = 0; index < this.buffer.length; index++) {
      const character = this.buffer[index];
      if (character !== '\n' && character !== '\r') {
        continue;
      }
      const line = this.buffer.slice(start, index);
      if (character === '\r') {
        if (index + 1 < this.buffer.length) {
          if (this.buffer[index + 1] === '\n') {
            index++;
          }
        } else {
          this.pendingCarriageReturn = true;
        }
      }
      start = index + 1;
      const event = this.line(line);
      if (event) {
        events.push(event);
      }
    }
    this.buffer = this.buffer.slice(start);
    return events;
  }

  private line(line: string): ServerSentEvent | null {
    if (line === '') {
      return this.dispatch();
    }
    if (line.startsWith(':')) {
      return null;
    }
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) {
      value = value.slice(1);
    }
    switch (field) {
      case 'event':
        this.eventType = value;
        break;
      case 'data':
        this.dataLines.push(value);
        this.hasData = true;
        break;
      case 'id':
        if (!value.includes('\u0000')) {
          this.lastEventId = value;
        }
        break;
      case 'retry':
        if (/^\d+$/.test(value)) {
          this.retry = Number(value);
        }
        break;
      default:
        break;
    }
    return null;
  }

  private dispatch(): ServerSentEvent | null {
    const event: ServerSentEvent | null = this.hasData
      ? { event: this.eventType || 'message', data: this.dataLines.join('\n'), id: this.lastEventId, retry: this.retry }
      : null;
    this.eventType = '';
    this.dataLines = [];
    this.hasData = false;
    return event;
  }
}

/** What a stream reader reports when the stream ended. */
export type StreamEnd = { kind: 'closed' } | { kind: 'failed'; status: number | null; message: string };

/**
 * Reads an event stream with fetch (the session cookie goes along), calls onEvent for each event
 * and resolves when the stream ends or fails; abort through the signal.
 */
export async function readEventStream(
  url: string,
  onEvent: (event: ServerSentEvent) => void,
  signal: AbortSignal,
  fetchFunction: typeof fetch = fetch,
): Promise<StreamEnd> {
  let response: Response;
  try {
    response = await fetchFunction(url, {
      headers: { Accept: 'text/event-stream' },
      credentials: 'same-origin',
      signal,
    });
  } catch (error) {
    return { kind: 'failed', status: null, message: errorMessage(error) };
  }
  if (!response.ok || !response.body) {
    return { kind: 'failed', status: response.status, message: `the event stream answered ${response.status}` };
  }
  const parser = new EventStreamParser();
  const decoder = new TextDecoder();
  const reader = response.body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) {
        for (const event of parser.push(decoder.decode())) {
          onEvent(event);
        }
        return { kind: 'closed' };
      }
      for (const event of parser.push(decoder.decode(value, { stream: true }))) {
        onEvent(event);
      }
    }
  } catch (error) {
    if (signal.aborted) {
      return { kind: 'closed' };
    }
    return { kind: 'failed', status: null, message: errorMessage(error) };
  }
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
