/** Colours for charts, read from VS Code's theme variables so charts follow the active theme. */
export function themeColor(variable: string, fallback: string): string {
  const v = typeof document !== 'undefined' ? getComputedStyle(document.body).getPropertyValue(variable).trim() : '';
  return v || fallback;
}

export function chartColors() {
  return {
    foreground: themeColor('--vscode-foreground', '#cccccc'),
    grid: themeColor('--vscode-widget-border', 'rgba(128,128,128,0.25)'),
    positive: themeColor('--vscode-charts-red', '#f14c4c'),
    negative: themeColor('--vscode-charts-blue', '#3794ff'),
    series: ['--vscode-charts-blue', '--vscode-charts-orange', '--vscode-charts-green', '--vscode-charts-purple', '--vscode-charts-yellow', '--vscode-charts-red']
      .map((v, i) => themeColor(v, ['#3794ff', '#d18616', '#89d185', '#b180d7', '#cca700', '#f14c4c'][i]!)),
  };
}
