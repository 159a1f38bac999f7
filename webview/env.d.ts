// The app runs in a browser or a VS Code webview: DOM types for webview/ (the rest of the
// program is Node's; the two sets of globals coexist).
/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
