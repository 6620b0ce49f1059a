/**
 * Population loss of teacher-student along training from every starting point of the run in one
 * chart: colour for the STE, line dash for the starting point (the training-curves chart has one
 * chart per point).
 */
import { trainingResult } from '../../harness/types.js';
import { axis, commonOptions, scaleTypeFor, type ChartDefinition } from './chart.js';
import { cellsByStartPoint, teacherStudentSuite } from './start-points.js';

/** Solid, dashed, dotted, dash-dot: one per starting point. */
const pointDashes: number[][] = [[], [10, 5], [2, 4], [10, 4, 2, 4]];

export const populationLossChart: ChartDefinition = {
  id: 'population-loss',
  title: 'Population loss of teacher-student along training, every starting point',
  howToGet: 'run --suite teacher-student with --steps above 0 (a grid over startNear and anchor gives several starting points)',
  plan(results, styles) {
    const lines = [...cellsByStartPoint(results)].flatMap(([point, cells], pointIndex) => cells.flatMap((shown) => {
      const training = trainingResult(shown.cell.metrics);
      return training && training.lossCurve.step.length > 1 ? [{ point, pointIndex, shown, training }] : [];
    }));
    if (lines.length === 0) return [];
    const datasets = lines.map(({ point, pointIndex, shown, training }) => ({
      label: `${shown.label}, ${point}`,
      data: training.lossCurve.step.map((step, index) => ({ x: step, y: training.lossCurve.loss[index] })),
      borderColor: styles.estimator(shown.colourKey).colour,
      backgroundColor: styles.estimator(shown.colourKey).colour,
      borderDash: pointDashes[pointIndex % pointDashes.length],
      pointRadius: 0,
      borderWidth: 2,
      fill: false,
    }));
    const losses = lines.flatMap(({ training }) => training.lossCurve.loss);
    const seeds = lines[0].training.trainingSeeds;
    const title = `Population loss: ${teacherStudentSuite}`;
    return [{
      file: `population-loss-${teacherStudentSuite}.png`,
      title,
      caption: `Closed-form population loss f(v, w) along training with each straight-through estimator's coarse gradient (colour) from each starting point (line dash), mean over ${seeds} seeds (the training-curves chart shows the spread per point). Yin et al. (2019) prove that descent along the ReLU and clipped-ReLU STEs' coarse gradients decreases f and converges to a critical point, and that the identity STE's expected coarse gradient does not vanish at the spurious local minima, so training with it is unstable there.`,
      configuration: {
        type: 'line',
        data: { datasets },
        options: {
          ...commonOptions(title, `closed-form f(v, w), mean over ${seeds} seeds · colour: STE · dash: starting point`),
          scales: { x: axis('linear', 'training step'), y: axis(scaleTypeFor(losses), 'population loss f(v, w)', undefined, losses) },
        },
      },
    }];
  },
};
