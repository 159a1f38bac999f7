import type { TaskInfo, TasksUpdateParams } from '../../server/protocol';
import { h } from '../dom';

/** A card action: an edit of the board (`tasks/update`) or an agent run on the task. */
export type CardAction = { kind: 'update'; action: TasksUpdateParams['action']; status?: TasksUpdateParams['status']; text?: string; to?: string } | { kind: 'run' };

interface MenuItem {
  label: string;
  /** Asks for words first (a reason, a name, a note). */
  ask?: { label: string; field: 'text' | 'to'; required: boolean };
  action: CardAction;
}

function itemsFor(task: TaskInfo): MenuItem[] {
  const items: MenuItem[] = [];
  if (task.status !== 'in_progress') items.push({ label: 'Start (assign to me)', action: { kind: 'update', action: 'start' } });
  if (task.status !== 'review') items.push({ label: 'Ready for review', action: { kind: 'update', action: 'review' } });
  if (task.status !== 'done') items.push({ label: 'Done', action: { kind: 'update', action: 'done' } });
  if (task.status !== 'blocked')
    items.push({ label: 'Block…', ask: { label: `Why is ${task.id} blocked?`, field: 'text', required: true }, action: { kind: 'update', action: 'block' } });
  items.push({ label: 'Hand off…', ask: { label: `Hand ${task.id} off to (user name)`, field: 'to', required: true }, action: { kind: 'update', action: 'handoff' } });
  items.push({ label: 'Add note…', ask: { label: `Note on ${task.id}`, field: 'text', required: true }, action: { kind: 'update', action: 'note' } });
  if (task.status !== 'done') items.push({ label: 'Run the agent on it', action: { kind: 'run' } });
  return items;
}

/**
 * The actions menu of one card, opened from its ⋯ button: a `role=menu` list, arrows between its
 * items, Escape closes it and gives the focus back to the button. Actions that need words ask in
 * a modal dialog.
 */
export function openMenu(button: HTMLElement, task: TaskInfo, run: (action: CardAction) => void): void {
  closeMenus(button.ownerDocument);
  const items = itemsFor(task);
  const menu = h('div', { class: 'card-menu', role: 'menu', 'aria-label': `Actions for ${task.id}` });
  let open = true;
  // Once: the focus leaving the menu (which closing moves) must not close it a second time.
  const dismiss = (refocus: boolean): void => {
    if (!open) return;
    open = false;
    button.setAttribute('aria-expanded', 'false');
    if (refocus) button.focus();
    menu.remove();
  };
  const close = (): void => dismiss(true);
  for (const item of items) {
    const entry = h('button', { type: 'button', role: 'menuitem', tabindex: '-1' }, item.label);
    entry.addEventListener('click', () => {
      close();
      if (item.ask === undefined) return run(item.action);
      ask(button, item.ask.label, (words) => run({ ...item.action, ...(item.action.kind === 'update' ? { [item.ask!.field]: words } : {}) } as CardAction));
    });
    menu.append(entry);
  }
  menu.addEventListener('keydown', (event) => {
    const entries = [...menu.querySelectorAll<HTMLElement>('[role=menuitem]')];
    const at = entries.indexOf(document.activeElement as HTMLElement);
    if (event.key === 'Escape') {
      event.preventDefault();
      event.stopPropagation();
      close();
    } else if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      event.stopPropagation();
      entries[(at + (event.key === 'ArrowDown' ? 1 : entries.length - 1)) % entries.length]?.focus();
    } else if (event.key === 'Tab') {
      close();
    } else if (event.key === ' ' || event.key === 'Enter') {
      // A menu item's key must not reach the card (which would pick it up).
      event.stopPropagation();
    }
  });
  menu.addEventListener('focusout', (event) => {
    if (!(event.relatedTarget instanceof Node) || !menu.contains(event.relatedTarget)) dismiss(false);
  });
  button.setAttribute('aria-expanded', 'true');
  button.after(menu);
  menu.querySelector<HTMLElement>('[role=menuitem]')?.focus();
}

export function closeMenus(document: Document): void {
  for (const menu of document.querySelectorAll('.card-menu')) menu.remove();
}

/** A modal dialog asking for a few words; the answer goes to `then`, Cancel or Escape drops it. */
function ask(returnTo: HTMLElement, label: string, then: (words: string) => void): void {
  const input = h('input', { id: 'kanban-ask-input', type: 'text', required: true, maxlength: '2000', autocomplete: 'off' });
  const form = h(
    'form',
    { method: 'dialog' },
    h('label', { for: 'kanban-ask-input' }, label),
    input,
    h(
      'div',
      { class: 'dialog-buttons' },
      h('button', { type: 'submit', class: 'button', value: 'ok' }, 'OK'),
      h('button', { type: 'button', class: 'button secondary', value: 'cancel' }, 'Cancel'),
    ),
  );
  const dialog = h('dialog', { class: 'kanban-dialog', 'aria-label': label }, form);
  form.querySelector('button[value=cancel]')!.addEventListener('click', () => dialog.close('cancel'));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const words = input.value.trim();
    if (words === '') return;
    dialog.close('ok');
    then(words);
  });
  dialog.addEventListener('close', () => {
    dialog.remove();
    if (returnTo.isConnected) returnTo.focus();
  });
  document.body.append(dialog);
  dialog.showModal();
  input.focus();
}
