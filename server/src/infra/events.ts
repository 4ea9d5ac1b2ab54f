import { Injectable } from '@nestjs/common';
import { EventEmitter } from 'node:events';
import type { BoxChange, FeedHealthEvent } from '@gozcu/shared';

/** Typed in-process fan-out. Producers commit first, then emit; realtime and metrics only listen. */
export interface ChangeEvents {
  /** box-results whose status, flags or figures changed (one event per committed batch) */
  'boxes.changed': { changes: BoxChange[]; cause: 'ysk' | 'entry' | 'stale' | 'rebuild' | 'replica' };
  /** boxes registered from reference data before YSK publishes them (other nodes register them too) */
  'boxes.registered': { keys: string[] };
  'feed.health': FeedHealthEvent & { replica?: boolean };
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
