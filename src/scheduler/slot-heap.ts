/** A min-heap of (next slot, check) pairs: the scheduler sleeps until the earliest one. */
export interface SlotEntry<T> {
  at: number;
  item: T;
}

export class SlotHeap<T> {
  private readonly heap: SlotEntry<T>[] = [];

  get size(): number {
    return this.heap.length;
  }

  peek(): SlotEntry<T> | undefined {
    return this.heap[0];
  }

  push(entry: SlotEntry<T>): void {
    const h = this.heap;
    h.push(entry);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (h[parent].at <= h[i].at) break;
      [h[parent], h[i]] = [h[i], h[parent]];
      i = parent;
    }
  }

  pop(): SlotEntry<T> | undefined {
    const h = this.heap;
    if (h.length === 0) return undefined;
    const top = h[0];
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && h[l].at < h[m].at) m = l;
        if (r < h.length && h[r].at < h[m].at) m = r;
        if (m === i) break;
        [h[m], h[i]] = [h[i], h[m]];
        i = m;
      }
    }
    return top;
  }

  clear(): void {
    this.heap.length = 0;
  }
}
