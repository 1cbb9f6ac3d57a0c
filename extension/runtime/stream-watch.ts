/**
 * An idle timeout for a streamed response. The SDK's own timeout ends when the
 * response headers arrive, so a stream that stalls afterwards (socket open,
 * nothing sent) would hang until the user pressed Stop. Every chunk of bytes
 * counts as life, pings included: the SDK swallows `ping` events, so this
 * watches the body below it, through the `fetch` the SDK is given.
 */

export class StreamWatch {
  readonly #controller = new AbortController();
  #timer: ReturnType<typeof setTimeout> | undefined;
  #stalled = false;
  #responded = false;

  constructor(private readonly idleMs: number) {}

  /** Aborts when the stream stalls. */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** True once the idle timeout fired. */
  get stalled(): boolean {
    return this.#stalled;
  }

  /** True once response headers arrived: a failure after that is a cut stream, not a refused request. */
  get responded(): boolean {
    return this.#responded;
  }

  start(): void {
    this.touch();
  }

  touch(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#stalled = true;
      this.#controller.abort(new Error(`no data for ${this.idleMs} ms`));
    }, this.idleMs);
  }

  stop(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** A fetch that reports response headers and every body chunk to this watch. */
  fetch(base: typeof fetch = globalThis.fetch.bind(globalThis)): typeof fetch {
    return async (input, init) => {
      const response = await base(input, init);
      this.#responded = true;
      this.touch();
      if (!response.body) return response;
      const body = response.body.pipeThrough(
        new TransformStream<Uint8Array, Uint8Array>({
          transform: (chunk, controller) => {
            this.touch();
            controller.enqueue(chunk);
          },
        }),
      );
      return new Response(body, {
        status: response.status,
        statusText: response.statusText,
        headers: response.headers,
      });
    };
  }
}
