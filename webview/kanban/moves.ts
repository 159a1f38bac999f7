import type { ColumnStatus } from './model';

/** What moving a card needs from the kanban: who to tell, and what to do with a drop. */
export interface MoveHost {
  /** The kanban's stable element: its columns are rendered anew inside it. */
  root: HTMLElement;
  announce(text: string): void;
  /** A card dropped into another column: the board's surgical status edit. */
  commit(id: string, to: ColumnStatus): void;
}

interface Held {
  id: string;
  item: HTMLElement;
  /** Where it was picked up, to put it back on Escape. */
  home: { list: HTMLElement; next: Element | null };
}

const DROPPABLE = (list: Element): boolean => list.getAttribute('data-status') !== 'other';

/**
 * Keyboard and drag moves of cards. Keyboard: Space or Enter picks a focused card up, the arrows
 * carry it between columns and positions, Space or Enter drops it, Escape puts it back; every
 * step is said through the live region. Without a card held the arrows move the focus. A drop in
 * another column becomes a status edit; a new position in the same column is refused, because
 * the board's edits do not reorder tasks (the file's order is the board's order).
 */
export function attachMoves(host: MoveHost): () => void {
  const { root } = host;
  let held: Held | undefined;
  let dragged: string | undefined;
  let marked: Element | undefined;

  const lists = (): HTMLElement[] => [...root.querySelectorAll<HTMLElement>('ul.cards')];
  const cardsOf = (list: Element): HTMLElement[] => [...list.querySelectorAll<HTMLElement>(':scope > li > article.card')];
  const listOf = (element: Element): HTMLElement | null => element.closest<HTMLElement>('ul.cards');
  const titleOf = (list: Element): string => list.closest('section')?.getAttribute('data-title') ?? list.getAttribute('data-status') ?? '';
  const where = (item: HTMLElement): string => {
    const list = listOf(item)!;
    const items = [...list.children];
    return `${titleOf(list)}, position ${items.indexOf(item) + 1} of ${items.length}`;
  };
  const focusCard = (card: HTMLElement | undefined): void => card?.focus();

  const pickUp = (card: HTMLElement): void => {
    const item = card.parentElement!;
    held = { id: card.dataset.task!, item, home: { list: listOf(card)!, next: item.nextElementSibling } };
    card.classList.add('held');
    card.setAttribute('aria-grabbed', 'true');
    host.announce(`Picked up ${held.id}: ${where(item)}. Arrow keys move it, Space drops it, Escape cancels.`);
  };
  const putBack = (): void => {
    if (!held) return;
    const { list, next } = held.home;
    // The board was drawn again meanwhile: back into its column as drawn now.
    if (list.isConnected) list.insertBefore(held.item, next?.parentElement === list ? next : null);
    else root.querySelector(`ul.cards[data-status="${list.getAttribute('data-status') ?? ''}"]`)?.append(held.item);
    release();
  };
  const release = (): HTMLElement | undefined => {
    const card = held?.item.querySelector<HTMLElement>('article.card') ?? undefined;
    card?.classList.remove('held');
    card?.removeAttribute('aria-grabbed');
    held = undefined;
    return card;
  };
  /** Moves the held card's item in the page (not yet the board) and keeps the focus on it. */
  const carry = (list: HTMLElement, before: Element | null): void => {
    if (!held) return;
    list.insertBefore(held.item, before);
    list.hidden = false;
    held.item.querySelector<HTMLElement>('article.card')?.focus();
    host.announce(`${held.id}: ${where(held.item)}`);
  };
  const drop = (): void => {
    if (!held) return;
    const { id, item, home } = held;
    const list = listOf(item)!;
    const to = list.getAttribute('data-status') as ColumnStatus;
    if (list === home.list) {
      const moved = item.nextElementSibling !== home.next;
      putBack();
      focusCard(item.querySelector<HTMLElement>('article.card') ?? undefined);
      host.announce(
        moved ? `${id} stays where it was: the board's edits change a task's status, not its place in a column (edit the text to reorder)` : `${id} dropped where it was`,
      );
      return;
    }
    release();
    host.announce(`Dropped ${id} in ${titleOf(list)}`);
    host.commit(id, to);
  };

  const keydown = (event: KeyboardEvent): void => {
    const target = event.target;
    if (!(target instanceof HTMLElement) || !target.matches('article.card')) return;
    const list = listOf(target);
    if (list === null) return;
    const key = event.key;
    if (held === undefined) {
      if (key === ' ' || key === 'Enter') {
        event.preventDefault();
        pickUp(target);
      } else if (key === 'ArrowDown' || key === 'ArrowUp') {
        event.preventDefault();
        const cards = cardsOf(list);
        focusCard(cards[cards.indexOf(target) + (key === 'ArrowDown' ? 1 : -1)]);
      } else if (key === 'ArrowLeft' || key === 'ArrowRight') {
        event.preventDefault();
        const all = lists().filter((l) => !l.hidden && cardsOf(l).length > 0);
        const index = cardsOf(list).indexOf(target);
        const next = all[all.indexOf(list) + (key === 'ArrowRight' ? 1 : -1)];
        if (next) {
          const cards = cardsOf(next);
          focusCard(cards[Math.min(index, cards.length - 1)]);
        }
      }
      return;
    }
    if (target.dataset.task !== held.id) return;
    switch (key) {
      case ' ':
      case 'Enter':
        event.preventDefault();
        drop();
        return;
      case 'Escape':
        event.preventDefault();
        putBack();
        focusCard(target);
        host.announce(`Move of ${target.dataset.task} cancelled`);
        return;
      case 'ArrowUp':
      case 'ArrowDown': {
        event.preventDefault();
        const item = held.item;
        if (key === 'ArrowUp' && item.previousElementSibling) carry(list, item.previousElementSibling);
        else if (key === 'ArrowDown' && item.nextElementSibling) carry(list, item.nextElementSibling.nextElementSibling);
        return;
      }
      case 'ArrowLeft':
      case 'ArrowRight': {
        event.preventDefault();
        const all = lists().filter(DROPPABLE);
        const next = all[all.indexOf(list) + (key === 'ArrowRight' ? 1 : -1)];
        if (!next) return;
        const position = [...list.children].indexOf(held.item);
        carry(next, next.children[Math.min(position, next.children.length)] ?? null);
        return;
      }
    }
  };

  // A card taken somewhere else (focus left it, a re-render) is put back: nothing half-moved stays.
  const focusout = (event: FocusEvent): void => {
    if (!held) return;
    const going = event.relatedTarget;
    if (going instanceof Node && held.item.contains(going)) return;
    queueMicrotask(() => {
      if (held && !held.item.contains(document.activeElement)) {
        const id = held.id;
        putBack();
        host.announce(`Move of ${id} cancelled`);
      }
    });
  };

  // Roving focus: one card (and its ⋯ button) is a Tab stop, the one last focused; the arrows
  // reach the others. A board of thousands of cards is not thousands of Tab presses.
  const focusin = (event: FocusEvent): void => {
    const card = event.target instanceof HTMLElement ? event.target.closest<HTMLElement>('article.card') : null;
    if (card) makeCurrent(root, card);
  };

  const unmark = (): void => {
    marked?.classList.remove('drop-target');
    marked = undefined;
  };
  const dragstart = (event: DragEvent): void => {
    const card = event.target instanceof HTMLElement ? event.target.closest<HTMLElement>('article.card') : null;
    if (!card || !event.dataTransfer) return;
    dragged = card.dataset.task;
    event.dataTransfer.effectAllowed = 'move';
    event.dataTransfer.setData('text/plain', dragged ?? '');
    card.classList.add('dragging');
    host.announce(`Dragging ${dragged}`);
  };
  const dragover = (event: DragEvent): void => {
    if (dragged === undefined || !(event.target instanceof Element)) return;
    const list = event.target.closest('section.column')?.querySelector('ul.cards');
    if (!list || !DROPPABLE(list)) return unmark();
    event.preventDefault();
    if (event.dataTransfer) event.dataTransfer.dropEffect = 'move';
    const section = list.closest('section')!;
    if (marked !== section) {
      unmark();
      marked = section;
      section.classList.add('drop-target');
    }
  };
  const dragend = (): void => {
    root.querySelector('.dragging')?.classList.remove('dragging');
    unmark();
    dragged = undefined;
  };
  const dropped = (event: DragEvent): void => {
    const id = dragged;
    dragend();
    if (id === undefined || !(event.target instanceof Element)) return;
    const list = event.target.closest('section.column')?.querySelector('ul.cards');
    if (!list || !DROPPABLE(list)) return;
    event.preventDefault();
    const from = root.querySelector<HTMLElement>(`article.card[data-task="${CSS.escape(id)}"]`);
    if (from && listOf(from) === list) {
      host.announce(`${id} stays where it was: the board's edits change a task's status, not its place in a column`);
      return;
    }
    if (from) list.append(from.parentElement!);
    host.announce(`Dropped ${id} in ${titleOf(list)}`);
    host.commit(id, list.getAttribute('data-status') as ColumnStatus);
  };

  root.addEventListener('keydown', keydown);
  root.addEventListener('focusin', focusin);
  root.addEventListener('focusout', focusout);
  root.addEventListener('dragstart', dragstart);
  root.addEventListener('dragover', dragover);
  root.addEventListener('dragend', dragend);
  root.addEventListener('drop', dropped);
  return () => {
    root.removeEventListener('keydown', keydown);
    root.removeEventListener('focusin', focusin);
    root.removeEventListener('focusout', focusout);
    root.removeEventListener('dragstart', dragstart);
    root.removeEventListener('dragover', dragover);
    root.removeEventListener('dragend', dragend);
    root.removeEventListener('drop', dropped);
  };
}

/** Whether a card is being carried by the keyboard now (a refresh then waits, not to drop it from under the user). */
export function isHolding(root: HTMLElement): boolean {
  return root.querySelector('article.card.held') !== null;
}

/** Makes `card` the kanban's one Tab stop among cards (with its ⋯ button). */
export function makeCurrent(root: HTMLElement, card: HTMLElement): void {
  for (const other of root.querySelectorAll<HTMLElement>('article.card[tabindex="0"]')) {
    if (other === card) continue;
    other.tabIndex = -1;
    other.querySelector<HTMLElement>('button.card-actions')?.setAttribute('tabindex', '-1');
  }
  card.tabIndex = 0;
  card.querySelector<HTMLElement>('button.card-actions')?.setAttribute('tabindex', '0');
}

/** After a drawing: the current card if it is still shown, else the first card, is the Tab stop. */
export function keepOneTabStop(root: HTMLElement): void {
  const current = root.querySelector<HTMLElement>('article.card[tabindex="0"]') ?? root.querySelector<HTMLElement>('article.card');
  if (current) makeCurrent(root, current);
}
