/**
 * Population loss of teacher-student along training from every starting point of the run in one
 * chart: colour for the STE, line dash for the starting point (the training-curves chart has one
 * chart per point).
 */
import { trainingResult } from '../../core/types.js';
import { axis, commonOptions, scaleTypeFor, type ChartDefinition } from './chart.js';
import { cellsByStartPoint, teacherStudentSuite } from './start-points.js';
import { cellTip, valueLine } from './tips.js';
import { sparseMarkers } from './training-curves.js';

/** Solid, dashed, dotted, dash-dot: one per starting point, named in the legend (Chart.js draws legend lines solid). */
const pointDashes: Array<{ readonly dash: number[]; readonly name: string }> = [
  { dash: [], name: 'solid' }, { dash: [10, 5], name: 'dashed' }, { dash: [2, 4], name: 'dotted' }, { dash: [10, 4, 2, 4], name: 'dash-dot' },
];

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
    // The legend names each STE once (its first line) and each starting point once (an empty line in grey with its dash).
    const named = new Set<string>();
    const datasets = lines.map(({ point, pointIndex, shown, training }) => {
      const first = !named.has(shown.label);
      named.add(shown.label);
      return {
        label: first ? shown.label : '',
        data: training.lossCurve.step.map((step, index) => ({
          x: step, y: training.lossCurve.loss[index],
          tip: cellTip(results, shown.cell, [`step ${step}, ${point}`, valueLine('f(v, w) (mean over seeds)', training.lossCurve.loss[index])]),
        })),
        borderColor: styles.estimator(shown.colourKey).colour,
        backgroundColor: styles.estimator(shown.colourKey).colour,
        borderDash: pointDashes[pointIndex % pointDashes.length].dash,
        backends: [shown.cell.backend],
        // The STE's marker (as in every chart); the dash belongs to the starting point here.
        pointStyle: styles.estimator(shown.colourKey).marker,
        pointRotation: styles.estimator(shown.colourKey).rotation,
        pointRadius: sparseMarkers(training.lossCurve.step.length, 4),
        pointHitRadius: 4,
        borderWidth: 2,
        fill: false,
      };
    });
    const points = [...new Map(lines.map(({ point, pointIndex }) => [point, pointIndex]))];
    const pointKeys = points.map(([point, pointIndex]) => ({
      label: `${pointDashes[pointIndex % pointDashes.length].name}: ${point}`, data: [], borderColor: '#555555', backgroundColor: '#555555', pointStyle: 'line', borderWidth: 2,
    }));
    const losses = lines.flatMap(({ training }) => training.lossCurve.loss);
    const seeds = lines[0].training.trainingSeeds;
    const title = `Population loss: ${teacherStudentSuite}`;
    return [{
      file: `population-loss-${teacherStudentSuite}.png`,
      title,
      suite: teacherStudentSuite,
      caption: `Closed-form population loss f(v, w) along training with each straight-through estimator's coarse gradient (colour) from each starting point (line dash), mean over ${seeds} seeds (the training-curves chart shows the spread per point). For comparison with theory, not a reading of these lines: Yin et al. (2019) prove that descent along the ReLU and clipped-ReLU STEs' expected coarse gradients decreases f and converges to a critical point, and that the identity STE's does not vanish at the spurious local minima. The lines are means over ${seeds} seeds of finite-sample training; the final losses ± standard errors are in the tables.`,
      configuration: {
        type: 'line',
        data: { datasets: [...datasets, ...pointKeys] },
        options: {
          ...commonOptions(title, `closed-form f(v, w), mean over ${seeds} seeds · colour: STE · dash: starting point`),
          scales: { x: axis('linear', 'training step'), y: axis(scaleTypeFor(losses), 'population loss f(v, w)', undefined, losses) },
        },
      },
    }];
  },
};
