/**
 * The browser's theme: the system's (prefers-color-scheme) unless the user picked light or dark.
 * The choice is a UI preference, nothing secret, so it may live in localStorage. In VS Code the
 * theme comes from the editor and none of this runs.
 */
const KEY = 'corral.theme';
/** Fired on window when the user picks another theme (charts redraw in its colours). */
export const THEME_CHANGED = 'corral-theme';
const ORDER = ['system', 'light', 'dark', 'hc-dark', 'hc-light'] as const;
type Theme = (typeof ORDER)[number];
const LABELS: Record<Theme, string> = { system: 'system', light: 'light', dark: 'dark', 'hc-dark': 'high contrast dark', 'hc-light': 'high contrast light' };

function current(): Theme {
  const stored = localStorage.getItem(KEY);
  return (ORDER as readonly string[]).includes(stored ?? '') ? (stored as Theme) : 'system';
}

export function applyTheme(theme: Theme = current()): void {
  if (theme === 'system') delete document.documentElement.dataset.theme;
  else document.documentElement.dataset.theme = theme;
}

export function nextTheme(): void {
  const theme = ORDER[(ORDER.indexOf(current()) + 1) % ORDER.length]!;
  localStorage.setItem(KEY, theme);
  applyTheme(theme);
  window.dispatchEvent(new Event(THEME_CHANGED));
}

export function themeLabel(): string {
  return `Theme: ${LABELS[current()]}`;
}
