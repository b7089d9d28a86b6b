// An incremental Server-Sent Events reader: feed it response chunks as they arrive, in any split (a chunk may
// end inside a line, inside a "\r\n" pair or inside a multi-byte character), and it hands over whole events.
// Line endings follow the SSE spec: "\n", "\r\n" or a lone "\r".

export interface SseEvent {
  event: string;
  data: string;
}

/** An event whose data grows past this is dropped rather than buffered without bound. */
const MAX_EVENT_CHARS = 32 * 1024 * 1024;

export class SseReader {
  readonly #decoder = new TextDecoder('utf-8');
  readonly #onEvent: (event: SseEvent) => void;
  #line = '';
  #pendingCr = false;
  #event = '';
  #data: string[] = [];
  #dataChars = 0;
  #overflow = false;

  constructor(onEvent: (event: SseEvent) => void) {
    this.#onEvent = onEvent;
  }

  push(chunk: Uint8Array): void {
    this.#feed(this.#decoder.decode(chunk, { stream: true }));
  }

  /** Ends the stream: a last event without its closing blank line is still delivered. */
  end(): void {
    this.#feed(this.#decoder.decode());
    if (this.#line !== '') this.#takeLine(this.#line);
    this.#line = '';
    this.#dispatch();
  }

  #feed(text: string): void {
    let start = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c !== 10 && c !== 13) continue;
      if (c === 10 && this.#pendingCr && i === start && this.#line === '') {
        // The "\n" of a "\r\n" that was split across chunks: the line already ended at the "\r".
        this.#pendingCr = false;
        start = i + 1;
        continue;
      }
      this.#takeLine(this.#line + text.slice(start, i));
      this.#line = '';
      if (c === 13 && text.charCodeAt(i + 1) === 10) i++;
      this.#pendingCr = c === 13 && i === text.length - 1;
      start = i + 1;
    }
    if (start < text.length) {
      this.#pendingCr = false;
      this.#line += text.slice(start);
      if (this.#line.length > MAX_EVENT_CHARS) {
        this.#line = '';
        this.#overflow = true;
      }
    }
  }

  #takeLine(line: string): void {
    if (line === '') {
      this.#dispatch();
      return;
    }
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') this.#event = value;
    else if (field === 'data') {
      this.#dataChars += value.length + 1;
      if (this.#dataChars > MAX_EVENT_CHARS) this.#overflow = true;
      else this.#data.push(value);
    }
  }

  #dispatch(): void {
    const hasData = this.#data.length > 0;
    const event = { event: this.#event || 'message', data: this.#data.join('\n') };
    const dropped = this.#overflow;
    this.#event = '';
    this.#data = [];
    this.#dataChars = 0;
    this.#overflow = false;
    if (hasData && !dropped) this.#onEvent(event);
  }
}
