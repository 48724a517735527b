/**
 * Colours for charts, read from VS Code's theme variables so charts follow the active theme. VS Code
 * swaps the variables and the body class (`vscode-light`, `vscode-dark`, `vscode-high-contrast`,
 * `vscode-high-contrast-light`) in place when the user switches themes, without reloading the
 * webview; `useThemeVersion` notices both that and the extension's `theme` message, and the charts
 * re-read the variables then.
 */
import { useEffect, useState } from 'react';

export function themeColor(variable: string, fallback: string): string {
  const v = typeof document !== 'undefined' ? getComputedStyle(document.body).getPropertyValue(variable).trim() : '';
  return v || fallback;
}

export type ChartColors = ReturnType<typeof chartColors>;

export function chartColors() {
  return {
    foreground: themeColor('--vscode-foreground', '#cccccc'),
    muted: themeColor('--vscode-descriptionForeground', '#9d9d9d'),
    grid: themeColor('--vscode-widget-border', 'rgba(128,128,128,0.25)'),
    positive: themeColor('--vscode-charts-red', '#f14c4c'),
    negative: themeColor('--vscode-charts-blue', '#3794ff'),
    total: themeColor('--vscode-charts-foreground', themeColor('--vscode-foreground', '#cccccc')),
    series: ['--vscode-charts-blue', '--vscode-charts-orange', '--vscode-charts-green', '--vscode-charts-purple', '--vscode-charts-yellow', '--vscode-charts-red']
      .map((v, i) => themeColor(v, ['#3794ff', '#d18616', '#89d185', '#b180d7', '#cca700', '#f14c4c'][i]!)),
  };
}

let version = 0;
const listeners = new Set<() => void>();
let observer: MutationObserver | undefined;
/** The browser dashboard follows the OS colour scheme (browser-theme.css): charts follow it too. */
let scheme: MediaQueryList | undefined;

/** Tell every chart to re-read the theme (the extension's `theme` message, or a body class change). */
export function themeChanged(): void {
  version++;
  for (const l of listeners) l();
}

/** A number that changes whenever the theme may have changed; charts depend on it. */
export function useThemeVersion(): number {
  const [v, setV] = useState(version);
  useEffect(() => {
    const l = () => setV(version);
    listeners.add(l);
    if (!observer && typeof MutationObserver !== 'undefined' && typeof document !== 'undefined') {
      observer = new MutationObserver(themeChanged);
      observer.observe(document.body, { attributes: true, attributeFilter: ['class', 'style', 'data-vscode-theme-kind'] });
    }
    if (!scheme && typeof window !== 'undefined' && typeof window.matchMedia === 'function') {
      scheme = window.matchMedia('(prefers-color-scheme: dark)');
      scheme.addEventListener('change', themeChanged);
    }
    return () => {
      listeners.delete(l);
      if (!listeners.size) {
        observer?.disconnect();
        observer = undefined;
        scheme?.removeEventListener('change', themeChanged);
        scheme = undefined;
      }
    };
  }, []);
  return v;
}
