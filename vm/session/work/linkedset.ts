/**
 * An ordered set of 32-byte IDs kept in module state as a doubly linked list: add and remove cost
 * O(1) state operations, iteration follows insertion order (which is part of the state, so it is
 * deterministic under replay). Used for the active node set, open oracle requests and sessions
 * waiting for finalization, which transactions change one item at a time.
 */
import { equals, t } from '../../../chain/index.js';
import type { StateReader, StateWriter } from '../../../chain/index.js';
import { keys } from './state.js';
import type { Id32 } from './types.js';

const headType = t.struct({ first: t.optional(t.bytes32), last: t.optional(t.bytes32), count: t.uint32 });
const linkType = t.struct({ prev: t.optional(t.bytes32), next: t.optional(t.bytes32) });
type Head = { first: Id32 | null; last: Id32 | null; count: number };
const EMPTY: Head = { first: null, last: null, count: 0 };

export class LinkedSet {
  constructor(readonly name: string) {}

  async size(state: StateReader): Promise<number> {
    return ((await state.getValue(headType, keys.setHead(this.name))) ?? EMPTY).count;
  }

  async has(state: StateReader, item: Id32): Promise<boolean> {
    return state.has(keys.setLink(this.name, item));
  }

  /** Appends `item`; false when it is already present. */
  async add(state: StateWriter, item: Id32): Promise<boolean> {
    if (await this.has(state, item)) return false;
    const head = (await state.getValue(headType, keys.setHead(this.name))) ?? EMPTY;
    if (head.last) {
      const lastLink = (await state.getValue(linkType, keys.setLink(this.name, head.last)))!;
      state.setValue(linkType, keys.setLink(this.name, head.last), { ...lastLink, next: item });
    }
    state.setValue(linkType, keys.setLink(this.name, item), { prev: head.last, next: null });
    state.setValue(headType, keys.setHead(this.name), { first: head.first ?? item, last: item, count: head.count + 1 });
    return true;
  }

  /** Removes `item`; false when it was not present. */
  async remove(state: StateWriter, item: Id32): Promise<boolean> {
    const link = await state.getValue(linkType, keys.setLink(this.name, item));
    if (!link) return false;
    const head = (await state.getValue(headType, keys.setHead(this.name)))!;
    if (link.prev) {
      const p = (await state.getValue(linkType, keys.setLink(this.name, link.prev)))!;
      state.setValue(linkType, keys.setLink(this.name, link.prev), { ...p, next: link.next });
    }
    if (link.next) {
      const n = (await state.getValue(linkType, keys.setLink(this.name, link.next)))!;
      state.setValue(linkType, keys.setLink(this.name, link.next), { ...n, prev: link.prev });
    }
    state.delete(keys.setLink(this.name, item));
    const first = head.first && equals(head.first, item) ? link.next : head.first;
    const last = head.last && equals(head.last, item) ? link.prev : head.last;
    if (head.count === 1) state.delete(keys.setHead(this.name));
    else state.setValue(headType, keys.setHead(this.name), { first, last, count: head.count - 1 });
    return true;
  }

  /** Items in insertion order, at most `limit` of them. */
  async items(state: StateReader, limit = Infinity): Promise<Id32[]> {
    const head = await state.getValue(headType, keys.setHead(this.name));
    const out: Id32[] = [];
    let cur = head?.first ?? null;
    while (cur && out.length < limit) {
      out.push(cur);
      cur = (await state.getValue(linkType, keys.setLink(this.name, cur)))?.next ?? null;
    }
    return out;
  }
}

export const activeNodes = new LinkedSet('active');
export const openRequests = new LinkedSet('open');
export const finalizing = new LinkedSet('finalizing');
