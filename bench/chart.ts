/** Renders the fleet scaling curve (wall time against vault count, one line per engine) as a small SVG. */
export function renderFleetChart(
  fleet: Record<string, { vaults: number; measurement: { wallMs: { median: number } } }[]>,
): string {
  const W = 640;
  const H = 360;
  const pad = { left: 70, right: 130, top: 30, bottom: 50 };
  const colors: Record<string, string> = { cdktf: '#5c4ee5', pulumi: '#f26e7e', 'pulumi-raw': '#f2a65e' };
  const labels: Record<string, string> = {
    cdktf: 'cdktf synth',
    pulumi: 'Pulumi (mocks)',
    'pulumi-raw': 'Pulumi raw',
  };
  const all = Object.values(fleet).flat();
  const maxX = Math.max(...all.map((p) => p.vaults));
  const maxY = Math.max(...all.map((p) => p.measurement.wallMs.median)) / 1000;
  const niceY =
    Math.pow(10, Math.floor(Math.log10(maxY))) * Math.ceil(maxY / Math.pow(10, Math.floor(Math.log10(maxY))));
  const x = (v: number) => pad.left + (v / maxX) * (W - pad.left - pad.right);
  const y = (s: number) => H - pad.bottom - (s / niceY) * (H - pad.top - pad.bottom);
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
  );
  parts.push(`<rect width="${W}" height="${H}" fill="white"/>`);
  parts.push(
    `<text x="${W / 2 - 60}" y="18" font-size="14" font-weight="bold">Fleet scaling: wall time per app</text>`,
  );
  for (let i = 0; i <= 5; i++) {
    const v = (niceY * i) / 5;
    parts.push(`<line x1="${pad.left}" x2="${W - pad.right}" y1="${y(v)}" y2="${y(v)}" stroke="#ddd"/>`);
    parts.push(
      `<text x="${pad.left - 8}" y="${y(v) + 4}" text-anchor="end">${Number(v.toFixed(1))} s</text>`,
    );
  }
  for (const v of [0, ...new Set(all.map((p) => p.vaults))]) {
    parts.push(`<text x="${x(v)}" y="${H - pad.bottom + 18}" text-anchor="middle">${v}</text>`);
  }
  parts.push(
    `<text x="${(pad.left + W - pad.right) / 2}" y="${H - 12}" text-anchor="middle">vaults in one app (each with automation and A2A replication)</text>`,
  );
  parts.push(
    `<line x1="${pad.left}" x2="${pad.left}" y1="${pad.top}" y2="${H - pad.bottom}" stroke="#333"/>`,
  );
  parts.push(
    `<line x1="${pad.left}" x2="${W - pad.right}" y1="${H - pad.bottom}" y2="${H - pad.bottom}" stroke="#333"/>`,
  );
  Object.entries(fleet).forEach(([engine, points], i) => {
    const color = colors[engine] ?? '#333';
    const d = points
      .map(
        (p, j) =>
          `${j ? 'L' : 'M'}${x(p.vaults).toFixed(1)},${y(p.measurement.wallMs.median / 1000).toFixed(1)}`,
      )
      .join(' ');
    parts.push(`<path d="${d}" fill="none" stroke="${color}" stroke-width="2.5"/>`);
    for (const p of points)
      parts.push(
        `<circle cx="${x(p.vaults).toFixed(1)}" cy="${y(p.measurement.wallMs.median / 1000).toFixed(1)}" r="3.5" fill="${color}"/>`,
      );
    parts.push(
      `<rect x="${W - pad.right + 15}" y="${pad.top + 10 + i * 22}" width="14" height="4" fill="${color}"/>`,
    );
    parts.push(
      `<text x="${W - pad.right + 35}" y="${pad.top + 16 + i * 22}">${labels[engine] ?? engine}</text>`,
    );
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
