import { Injectable } from '@nestjs/common';
import { EventEmitter } from 'node:events';
import type { BoxChange, FeedFailureClass, FeedHealthEvent, FeedHealthState } from '@gozcu/shared';

/** Typed in-process fan-out. Producers commit first, then emit; realtime and metrics only listen. */
export interface ChangeEvents {
  /** box-results whose status, flags or figures changed (one event per committed batch) */
  'boxes.changed': { changes: BoxChange[]; cause: 'ysk' | 'entry' | 'stale' | 'rebuild' | 'replica' };
  /** boxes registered from reference data before YSK publishes them (other nodes register them too) */
  'boxes.registered': { keys: string[] };
  /** the feed's overall state changed; `replica`: another node's, re-emitted here (the replicator) */
  'feed.health': FeedHealthEvent & { replica?: boolean };
  /**
   * The events below are this node's own and are never replicated: every node counts its own
   * calls and versions (Prometheus sums the nodes), so no listener sees another node's twice.
   */
  /** a request to YSK answered, or failed (its class) */
  'ysk.call': { endpoint: string; outcome: 'ok' | 'not_modified' | FeedFailureClass; latencyMs: number; bytes: number };
  /** an ingest stored YSK versions: boxes seen for the first time, and boxes revised */
  'versions.stored': { first: number; revised: number };
  /** this node's feed state changed: overall (`endpoint` null) or one endpoint's */
  'feed.state': { endpoint: string | null; state: FeedHealthState; previous: FeedHealthState; at: string };
  'feed.incident': { id: string; kind: string; scope: string; cause: string; at: string; open: boolean };
  /** a complaint was filed (stored and audited); the alerts module listens */
  'complaint.filed': { id: string; key: string | null; province: number; district: number; boxNo: number; at: string };
}

@Injectable()
export class ChangeBus {
  private readonly emitter = new EventEmitter().setMaxListeners(100);

  emit<K extends keyof ChangeEvents>(event: K, payload: ChangeEvents[K]): void {
    this.emitter.emit(event, payload);
  }

  on<K extends keyof ChangeEvents>(event: K, listener: (payload: ChangeEvents[K]) => void): () => void {
    this.emitter.on(event, listener);
    return () => this.emitter.off(event, listener);
  }
}
