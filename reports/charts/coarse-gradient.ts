/**
 * The mean coarse gradient of each STE on teacher-student against the population gradient, at every
 * starting point of the run: its cosine with ∂f/∂w, and its norm beside ‖∂f/∂w‖.
 */
import type { BenchResults, GradientScores } from '../../core/types.js';
import type { CompletedCell } from '../cells.js';
import { axis, commonOptions, type ChartDefinition, type ChartSpec } from './chart.js';
import type { ChartStyles } from './palette.js';
import { cellTip, valueLine } from './tips.js';
import { cellsByStartPoint, cosineWithStdErr, normWithStdErr, teacherStudentSuite, weightPart, type ShownCell } from './start-points.js';

type Measure = (cell: CompletedCell, scores: GradientScores) => { value: number; stdErr: number } | null;

/** Half-width of the cosine's interval in standard errors: about 95% under a normal approximation. */
export const cosineIntervalK = 2;

/**
 * Estimates that would make an interval of ±k standard errors exclude zero if the value stayed where
 * it is (standard errors shrink as 1/√N): N·(k·SE/|value|)²; null when the value is 0.
 */
export function samplesToResolveSign(value: number, stdErr: number, samples: number, k = cosineIntervalK): number | null {
  if (!(Math.abs(value) > 0)) return null;
  return Math.ceil(samples * ((k * stdErr) / Math.abs(value)) ** 2);
}

/** What the interval says about the sign: `positive`, `negative`, or not resolved with the N that would resolve it. */
export function signReading(value: number, stdErr: number, samples: number): string {
  if (value - cosineIntervalK * stdErr > 0) return 'positive';
  if (value + cosineIntervalK * stdErr < 0) return 'negative';
  const needed = samplesToResolveSign(value, stdErr, samples);
  return needed === null ? 'sign not resolved' : `sign not resolved at N = ${samples}; about ${needed.toLocaleString('en-US')} estimates would resolve it if the value held`;
}

/** One bar series per shown estimator (and differing backend), one bar per starting point; a missing bar is a null y. */
function barDatasets(results: BenchResults, groups: Map<string, ShownCell[]>, styles: ChartStyles, measure: Measure, name: string, k = 1) {
  const points = [...groups.keys()];
  const series = new Map<string, ShownCell>();
  for (const shown of [...groups.values()].flat()) if (!series.has(shown.label)) series.set(shown.label, shown);
  return [...series.values()].map(({ label, colourKey, cell: first }) => {
    const colour = styles.estimator(colourKey).colour;
    return {
      label,
      backends: [...new Set([...groups.values()].flat().filter((shown) => shown.label === label).map((shown) => shown.cell.backend))],
      // Chart.js parses every entry of object data: a missing bar is a null y, not a null point.
      data: points.map((point) => {
        const shown = groups.get(point)!.find((candidate) => candidate.label === label);
        const value = shown?.scores ? measure(shown.cell, shown.scores) : null;
        if (!value || !shown) return { x: point, y: null };
        const lines = [`${point}`, valueLine(name, value.value, value.stdErr), ...(k !== 1 ? [`interval ±${k} SE: ${signReading(value.value, value.stdErr, shown.cell.samples)}`] : [])];
        return { x: point, y: value.value, yMin: value.value - k * value.stdErr, yMax: value.value + k * value.stdErr, tip: cellTip(results, shown.cell, lines) };
      }),
      backgroundColor: styles.backend(first.backend).filledMarker ? colour : '#ffffff',
      borderColor: colour,
      borderWidth: 2,
    };
  });
}

export const coarseGradientChart: ChartDefinition = {
  id: 'coarse-gradient',
  title: 'Coarse gradients against the population gradient (teacher-student)',
  howToGet: 'run --suite teacher-student (a grid over startNear and anchor gives several starting points)',
  plan(results, styles) {
    const groups = new Map([...cellsByStartPoint(results)].filter(([, cells]) => cells.some((shown) => shown.scores)));
    if (groups.size === 0) return [];
    const samples = [...groups.values()][0][0].cell.samples;
    const labels = [...groups.keys()];
    const cosineOf: Measure = (cell, scores) => { const part = weightPart(cell, scores); return cosineWithStdErr(part.mean, part.exact, part.meanVariance); };
    const readings = [...groups].flatMap(([point, cells]) => cells.flatMap((shown) => {
      const value = shown.scores ? cosineOf(shown.cell, shown.scores) : null;
      return value ? [`${shown.label} at ${point}: ${value.value.toFixed(2)} ± ${value.stdErr.toFixed(2)}, ${signReading(value.value, value.stdErr, shown.cell.samples)}`] : [];
    }));
    const cosine: ChartSpec = {
      file: 'coarse-gradient-cosine-teacher-student.png',
      title: 'Cosine of the mean coarse gradient with ∂f/∂w',
      suite: teacherStudentSuite,
      caption: `Cosine between each STE's mean coarse gradient with respect to w (${samples} estimates) and the population gradient ∂f/∂w, at each starting point; bars ±${cosineIntervalK} standard errors (delta method, about 95%). Missing where ∂f/∂w = 0 (a local minimum). ` +
        `A sign is read only where the interval excludes zero: ${readings.join('; ')}. ` +
        'Yin et al. (2019) prove that the expected coarse gradients of the ReLU and clipped-ReLU STEs correlate positively with the population gradient; a bar whose interval spans zero neither confirms nor contradicts that at this N.',
      configuration: {
        type: 'bar',
        data: { labels, datasets: barDatasets(results, groups, styles, cosineOf, 'cosine', cosineIntervalK) as never },
        options: {
          ...commonOptions('Cosine of the mean coarse gradient with ∂f/∂w', `${teacherStudentSuite} · ${samples} estimates per bar · bars: ±${cosineIntervalK} standard errors (≈95%)`),
          scales: { x: axis('category', 'starting point'), y: { ...axis('linear', 'cos(E[ĝ_w], ∂f/∂w)'), min: -1, max: 1 } },
        },
      },
    };
    // At an exact local minimum ∂f/∂w = 0, which a log axis cannot show: no black bar there.
    const exactNorms = labels.map((label) => {
      const shown = groups.get(label)!.find((candidate) => candidate.scores)!;
      const norm = Math.hypot(...weightPart(shown.cell, shown.scores!).exact);
      return { x: label, y: norm > 1e-9 ? norm : null };
    });
    const norms = barDatasets(results, groups, styles, (cell, scores) => { const part = weightPart(cell, scores); return normWithStdErr(part.mean, part.meanVariance); }, '‖E[ĝ_w]‖');
    const values = [...norms.flatMap((dataset) => dataset.data.flatMap((point) => [point.y, point.yMax])), ...exactNorms.map((point) => point.y)]
      .filter((value): value is number => value !== null && value !== undefined && value > 1e-9);
    const norm: ChartSpec = {
      file: 'coarse-gradient-norm-teacher-student.png',
      title: 'Norm of the mean coarse gradient with respect to w',
      suite: teacherStudentSuite,
      caption: `‖E[ĝ_w]‖ of each STE (bars, ±1 standard error; near zero the error bar is the noise floor of ${samples} estimates) beside the population gradient's ‖∂f/∂w‖ (black bars; none where it is 0), at each starting point. For comparison with theory (a bar supports it only where its interval excludes the other case): at the spurious local minimum ∂f/∂w = 0, Yin et al. (2019) predict that the ReLU STE's expected coarse gradient vanishes there and the identity STE's does not.`,
      configuration: {
        type: 'bar',
        data: {
          labels,
          datasets: [
            { label: '‖∂f/∂w‖ (population)', data: exactNorms, backgroundColor: '#000000', borderColor: '#000000', borderWidth: 2 },
            ...norms,
          ] as never,
        },
        options: {
          ...commonOptions('Norm of the mean coarse gradient with respect to w', `${teacherStudentSuite} · ${samples} estimates per bar · black: the population gradient`),
          scales: { x: axis('category', 'starting point'), y: axis('logarithmic', '‖E[ĝ_w]‖', undefined, values) },
        },
      },
    };
    return [cosine, norm];
  },
};
