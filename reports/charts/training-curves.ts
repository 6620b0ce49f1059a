/** Training curves: exact loss against optimiser step, mean over seeds with a min–max band, one line per estimator. */
import { trainingResult } from '../../core/types.js';
import { estimatorGroups, shownCells, suiteVariants, variantLabel } from '../cells.js';
import { axis, commonOptions, scaleTypeFor, type ChartDefinition } from './chart.js';
import { lineLook, withAlpha } from './palette.js';

export const trainingCurvesChart: ChartDefinition = {
  id: 'training-curves',
  title: 'Training curves',
  howToGet: 'run a benchmark with --steps above 0',
  plan(results, styles) {
    return suiteVariants(results).flatMap((variant) => {
      const lines = estimatorGroups(results, variant.cells).flatMap((group) => shownCells(group).flatMap(({ cell, differs }) => {
        const training = trainingResult(cell.metrics);
        return training && training.lossCurve.step.length > 1 ? [{ group, cell, training, label: differs.length > 0 ? `${group.label} (${cell.backend})` : group.label }] : [];
      }));
      if (lines.length === 0) return [];
      const datasets = lines.flatMap(({ group, cell, training, label }) => {
        const colourKey = variantLabel(results, cell.estimator, cell.estimatorParams);
        const look = styles.estimator(colourKey);
        const curve = training.lossCurve;
        const points = (values: number[]) => curve.step.map((step, index) => ({ x: step, y: values[index] }));
        const line = { ...lineLook(styles, colourKey, cell.backend), pointRadius: 0, borderWidth: 2.5 };
        // The band: the max line filled down to the min line (the dataset just before it), unlabelled so the legend skips it.
        return [
          { label, data: points(curve.loss), ...line, fill: false },
          { label: '', data: points(curve.lossMin), borderWidth: 0, pointRadius: 0, fill: false },
          { label: '', data: points(curve.lossMax), borderWidth: 0, pointRadius: 0, backgroundColor: withAlpha(look.colour, 0.15), fill: '-1' },
        ];
      });
      const seeds = lines[0].training.trainingSeeds;
      const { steps } = results.config.training;
      // What the cells trained with (the suite's defaults where the command line left an option unset);
      // files from before cells recorded it fall back to the run's options.
      const settings = lines[0].training.trainingSettings;
      const learningRate = settings?.learningRate ?? results.config.training.learningRate ?? 'per suite';
      const samplesPerStep = settings?.samplesPerStep ?? results.config.training.samplesPerStep ?? 'the suite\'s number of';
      const optimizer = (settings?.optimizer ?? results.config.training.optimizer) === 'sgd' ? 'SGD' : 'Adam';
      const allLosses = lines.flatMap(({ training }) => [...training.lossCurve.lossMin, ...training.lossCurve.lossMax]);
      const title = `Training curves: ${variant.title}`;
      return [{
        file: `training-${variant.slug}.png`,
        title,
        caption: `Training loss along ${steps} ${optimizer} steps (learning rate ${learningRate}, ${samplesPerStep} estimates per step); line: mean over ${seeds} seeds, band: min to max over seeds. ` +
          'One line per estimator; a dashed line marks a backend whose final loss differs beyond noise.',
        configuration: {
          type: 'line',
          data: { datasets },
          options: {
            ...commonOptions(title, `training loss, mean over ${seeds} seeds (band: min–max) · ${optimizer}, lr ${learningRate}, ${samplesPerStep} estimates per step`),
            scales: { x: axis('linear', 'training step'), y: axis(scaleTypeFor(allLosses), 'training loss (exact E[L] where the suite has it)', 'loss') },
          },
        },
      }];
    });
  },
};
