// A small element builder: text always goes in as text (never parsed as HTML), so nothing an
// attendee or a Salesforce record holds can inject markup.
type Child = Node | string | null | undefined | false;
type Attrs = Record<string, string | boolean | number | EventListener | undefined | null>;

export function h(tag: string, attrs: Attrs = {}, ...children: Child[]): HTMLElement {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (typeof value === "function") element.addEventListener(name.replace(/^on/, ""), value);
    else if (value === true) element.setAttribute(name, "");
    else element.setAttribute(name, String(value));
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    element.append(typeof child === "string" ? document.createTextNode(child) : child);
  }
  return element;
}

export function spinner(label: string): HTMLElement {
  return h("p", { class: "progress", role: "status" }, h("span", { class: "spinner", "aria-hidden": "true" }), label);
}

/** Runs `work` after `ms` of quiet (search as the rep types, changes as Outlook reports them). */
export function debounce(work: () => void, ms: number): () => void {
  let timer: number | undefined;
  return () => {
    window.clearTimeout(timer);
    timer = window.setTimeout(work, ms);
  };
}

/** Office's theme colours as CSS variables; dark when the body background is dark. */
export function applyTheme(theme: Office.OfficeTheme | undefined): void {
  if (!theme) return;
  const root = document.documentElement.style;
  root.setProperty("--body-bg", theme.bodyBackgroundColor);
  root.setProperty("--body-fg", theme.bodyForegroundColor);
  root.setProperty("--control-bg", theme.controlBackgroundColor);
  root.setProperty("--control-fg", theme.controlForegroundColor);
  const hex = theme.bodyBackgroundColor.replace("#", "");
  const [r, g, b] = [0, 2, 4].map((i) => parseInt(hex.slice(i, i + 2), 16) || 0);
  const dark = 0.2126 * r + 0.7152 * g + 0.0722 * b < 128;
  document.documentElement.dataset.theme = dark ? "dark" : "light";
}
