// Office's theme as CSS variables, and a debounce for changes that come in bursts.

/** Runs `work` after `ms` of quiet (changes as Outlook reports them). */
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
