/** Population loss of teacher-student along training, one line per STE, one chart per starting point. */
import { backendCount } from '../cells.js';
import { axis, commonOptions, fileSafe, scaleTypeFor, seriesLabel, type ChartDefinition } from './chart.js';
import { lineLook, withAlpha } from './palette.js';
import { cellsByStartPoint, teacherStudentSuite } from './start-points.js';

export const populationLossChart: ChartDefinition = {
  id: 'population-loss',
  title: 'Population loss of teacher-student along training',
  howToGet: 'run --suite teacher-student with --steps above 0',
  plan(results, styles) {
    const groups = [...cellsByStartPoint(results)].map(([label, cells]) => [label, cells.filter((cell) => cell.metrics.lossCurve.step.length > 1)] as const);
    return groups.filter(([, cells]) => cells.length > 0).map(([label, cells], index) => {
      const datasets = cells.flatMap((cell) => {
        const curve = cell.metrics.lossCurve;
        const points = (values: number[]) => curve.step.map((step, at) => ({ x: step, y: values[at] }));
        return [
          { label: seriesLabel(cell.estimator, cell.backend, backendCount(results)), data: points(curve.loss), ...lineLook(styles, cell.estimator, cell.backend), pointRadius: 0, borderWidth: 2.5, fill: false },
          { label: '', data: points(curve.lossMin), borderWidth: 0, pointRadius: 0, fill: false },
          { label: '', data: points(curve.lossMax), borderWidth: 0, pointRadius: 0, backgroundColor: withAlpha(styles.estimator(cell.estimator).colour, 0.15), fill: '-1' },
        ];
      });
      const losses = cells.flatMap((cell) => [...cell.metrics.lossCurve.lossMin, ...cell.metrics.lossCurve.lossMax]);
      const seeds = cells[0].metrics.trainingSeeds;
      const title = `Population loss: ${teacherStudentSuite}, ${label}`;
      return {
        file: `population-loss-${fileSafe(teacherStudentSuite)}${groups.length > 1 ? `-${index + 1}` : ''}.png`,
        title,
        caption: `Closed-form population loss f(v, w) along training with each straight-through estimator's coarse gradient, from ${label}; line: mean over ${seeds} seeds, band: min to max. Yin et al. (2019) prove that descent along the ReLU and clipped-ReLU STEs' coarse gradients decreases f and converges to a critical point, and that the identity STE's does not vanish at the spurious local minima, so training with it is unstable there.`,
        configuration: {
          type: 'line',
          data: { datasets },
          options: {
            ...commonOptions(title, `closed-form f(v, w), mean over ${seeds} seeds (band: min–max)`),
            scales: { x: axis('linear', 'training step'), y: axis(scaleTypeFor(losses), 'population loss f(v, w)', undefined, losses) },
          },
        },
      };
    });
  },
};
