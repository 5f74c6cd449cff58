import { type RawData, WebSocket } from 'ws'

/**
 * Back-pressure for one WebSocket client of the web server: what it costs the server stays
 * bounded however it behaves. Its requests are handled a few at a time; while its outgoing
 * bytes (replies and events sent but not yet written to its socket) are above a high-water
 * mark, or requests wait, its socket is paused — its further requests stay unread in the
 * kernel, costing the server nothing. A client that stays above the mark (it stopped reading)
 * or whose outgoing bytes would pass the hard limit is dropped, which frees them at once.
 */
export interface FlowLimits {
  /** Outgoing bytes above which the client's requests stop being read. */
  readonly highWaterBytes: number
  /** Outgoing bytes a client may hold at most; a message past them drops the client. */
  readonly maxBufferedBytes: number
  /** Requests of one client handled at once; more wait unread. */
  readonly maxInFlight: number
  /** How long a client may stay above the high-water mark before it is dropped. */
  readonly stallMs: number
}

export const DEFAULT_FLOW_LIMITS: FlowLimits = {
  highWaterBytes: 4 * 1024 ** 2,
  maxBufferedBytes: 24 * 1024 ** 2,
  maxInFlight: 16,
  stallMs: 30_000,
}

/** What a client costs the server now (for diagnostics and tests). */
export interface FlowState {
  /** Bytes sent to it but not yet written to its socket. */
  readonly buffered: number
  /** Requests received but not yet handled, and being handled. */
  readonly waiting: number
  readonly inFlight: number
  readonly paused: boolean
}

interface Received {
  readonly data: RawData
  readonly isBinary: boolean
}

export class ClientFlow {
  private readonly backlog: Received[] = []
  private inFlight = 0
  private buffered = 0
  private paused = false
  private stallTimer: NodeJS.Timeout | null = null

  constructor(
    private readonly ws: WebSocket,
    private readonly limits: FlowLimits,
    /** Answers one request: the reply's text. */
    private readonly answer: (data: RawData, isBinary: boolean) => Promise<string>,
  ) {
    ws.on('message', (data, isBinary) => this.receive({ data, isBinary }))
    ws.on('close', () => this.stop())
  }

  get state(): FlowState {
    const { buffered, inFlight, paused } = this
    return { buffered, waiting: this.backlog.length, inFlight, paused }
  }

  /**
   * Sends one message within the client's limits. A lone message always goes (a large reply
   * to a client that reads); one that would pass the limit on top of others drops the client.
   */
  send(text: string): void {
    if (this.ws.readyState !== WebSocket.OPEN) return
    const bytes = Buffer.byteLength(text)
    if (this.buffered > 0 && this.buffered + bytes > this.limits.maxBufferedBytes) {
      return this.drop()
    }
    this.buffered += bytes
    this.ws.send(text, () => {
      this.buffered -= bytes
      this.pump()
    })
    this.update()
  }

  private receive(message: Received): void {
    this.backlog.push(message)
    this.pump()
  }

  /** Starts waiting requests while the client is within its limits. */
  private pump(): void {
    while (
      this.backlog.length > 0 &&
      this.inFlight < this.limits.maxInFlight &&
      this.buffered <= this.limits.highWaterBytes &&
      this.ws.readyState === WebSocket.OPEN
    ) {
      const { data, isBinary } = this.backlog.shift()!
      this.inFlight++
      // Each request is answered on its own: a slow command never holds up later replies.
      void this.answer(data, isBinary).then((text) => {
        this.inFlight--
        this.send(text)
        this.pump()
      })
    }
    this.update()
  }

  /** Pauses reading while requests wait or the client is behind; drops it if it stays behind. */
  private update(): void {
    if (this.ws.readyState !== WebSocket.OPEN) return
    const behind = this.buffered > this.limits.highWaterBytes
    const hold = behind || this.backlog.length > 0
    if (hold !== this.paused) {
      this.paused = hold
      if (hold) this.ws.pause()
      else this.ws.resume()
    }
    if (behind && this.stallTimer === null) {
      this.stallTimer = setTimeout(() => this.drop(), this.limits.stallMs)
      this.stallTimer.unref()
    } else if (!behind && this.stallTimer !== null) {
      clearTimeout(this.stallTimer)
      this.stallTimer = null
    }
  }

  /** Cuts the connection: whatever it had buffered is freed. */
  private drop(): void {
    this.stop()
    this.ws.terminate()
  }

  private stop(): void {
    this.backlog.length = 0
    if (this.stallTimer !== null) clearTimeout(this.stallTimer)
    this.stallTimer = null
  }
}
