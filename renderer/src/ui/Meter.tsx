// A usage meter: bar plus numbers; amber from 80 % (colour paired with the numbers).
import type { ReactNode } from 'react';
import type { UsageMeter } from '../../../shared/models.ts';
import { meterIsHigh, meterRatio, meterSentence, meterText } from '../format.ts';

export function Meter({ m, wide = false }: { m: UsageMeter; wide?: boolean }): ReactNode {
  const high = meterIsHigh(m);
  const ratio = meterRatio(m);
  return (
    <div className={`meter ${high ? 'meter-high' : ''} ${wide ? 'meter-wide' : ''}`} title={meterSentence(m)}>
      {wide && <span className="meter-label">{m.label}</span>}
      <span
        className="meter-bar"
        role="meter"
        aria-label={m.label}
        aria-valuemin={0}
        aria-valuemax={m.limit}
        aria-valuenow={Math.min(m.used, m.limit)}
        aria-valuetext={meterSentence(m)}
      >
        <span className="meter-fill" style={{ width: `${Math.round(ratio * 100)}%` }} />
      </span>
      <span className="meter-text num">{meterText(m)}</span>
    </div>
  );
}
