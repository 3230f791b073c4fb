import { describe, expect, it } from 'vitest';
import { EventStreamParser, readEventStream } from './sse';

describe('EventStreamParser', () => {
  it('dispatches on a blank line with type, data and id', () => {
    const parser = new EventStreamParser();
    const events = parser.push('event: step\nid: 7\ndata: {"step":"EXPORT"}\n\n');
    expect(events).toEqual([{ event: 'step', data: '{"step":"EXPORT"}', id: '7', retry: null }]);
  });

  it('joins data lines, strips one leading space only, and defaults the type to message', () => {
    const parser = new EventStreamParser();
    expect(parser.push('data:  two spaces\ndata:none\n\n')).toEqual([
      { event: 'message', data: ' two spaces\nnone', id: null, retry: null },
    ]);
  });

  it('reassembles events split anywhere across chunks, also CRLF split between chunks', () => {
    const parser = new EventStreamParser();
    const text = 'event: progress\r\ndata: {"bytesDone":1}\r\n\r\nevent: progress\r\ndata: {"bytesDone":2}\r\n\r\n';
    const events = [];
    for (const character of text) {
      events.push(...parser.push(character));
    }
    expect(events.map((event) => event.data)).toEqual(['{"bytesDone":1}', '{"bytesDone":2}']);
    expect(events.every((event) => event.event === 'progress')).toBe(true);
  });

  it('accepts lone CR line ends', () => {
    const parser = new EventStreamParser();
    expect(parser.push('data: a\r\rdata: b\r\r').map((event) => event.data)).toEqual(['a', 'b']);
  });

  it('ignores comments, unknown fields and events without data; keeps the last id and retry', () => {
    const parser = new EventStreamParser();
    expect(parser.push(': keep-alive\n\nevent: lonely\n\nfoo: bar\nretry: 3000\nid: 9\ndata: x\n\n')).toEqual([
      { event: 'message', data: 'x', id: '9', retry: 3000 },
    ]);
    expect(parser.push('retry: soon\ndata: y\n\n')).toEqual([{ event: 'message', data: 'y', id: '9', retry: 3000 }]);
  });

  it('drops an event the stream never terminated', () => {
    const parser = new EventStreamParser();
    expect(parser.push('data: partial')).toEqual([]);
    expect(parser.push('\n')).toEqual([]);
  });
});

function streamResponse(chunks: string[], status = 200): Response {
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const chunk of chunks) {
        controller.enqueue(encoder.encode(chunk));
      }
      controller.close();
    },
  });
  return new Response(body, { status, headers: { 'Content-Type': 'text/event-stream' } });
}

describe('readEventStream', () => {
  it('delivers each event and reports a closed stream', async () => {
    const received: string[] = [];
    const fetchFunction = (async () => streamResponse(['data: {"a":', '1}\n\ndata: é\n', '\n'])) as typeof fetch;
    const end = await readEventStream('/events', (event) => received.push(event.data), new AbortController().signal, fetchFunction);
    expect(received).toEqual(['{"a":1}', 'é']);
    expect(end).toEqual({ kind: 'closed' });
  });

  it('reports an HTTP failure with its status', async () => {
    const fetchFunction = (async () => new Response('nope', { status: 404 })) as typeof fetch;
    const end = await readEventStream('/events', () => {}, new AbortController().signal, fetchFunction);
    expect(end).toEqual({ kind: 'failed', status: 404, message: 'the event stream answered 404' });
  });

  it('reports a network failure', async () => {
    const fetchFunction = (async () => {
      throw new TypeError('connection refused');
    }) as typeof fetch;
    const end = await readEventStream('/events', () => {}, new AbortController().signal, fetchFunction);
    expect(end).toEqual({ kind: 'failed', status: null, message: 'connection refused' });
  });
});
