// Child process for the kill-and-resume test: trains TinyNet with checkpoints in argv[2] for argv[3] epochs,
// resuming when a checkpoint exists, then writes final.safetensors. Prints "epoch N" after each epoch.
import { join } from 'node:path';
import * as tn from 'tunet';
import { TinyNet, makeData, batches } from './train-fixture.js';

const [dir, epochsArg, slowArg] = process.argv.slice(2);
tn.setNumThreads(1);
const { x, y } = makeData();
tn.manualSeed(7);
const model = new TinyNet();
const optimizer = new tn.optim.SGD(model.parameters(), { lr: 0.01, momentum: 0.9 });
const scheduler = new tn.optim.lrScheduler.StepLR(optimizer, { stepSize: 2, gamma: 0.5 });
const slow = Number(slowArg ?? 0);
const trainer = new tn.train.Trainer({
  model,
  optimizer,
  scheduler,
  loss: (o, t) => tn.nn.functional.mseLoss(o, t),
  epochs: Number(epochsArg),
  checkpointDir: dir,
  resume: true,
  seed: 99,
  progress: false,
  callbacks: [
    {
      onBatchEnd() {
        if (slow) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, slow);
      },
      onEpochEnd(_t, epoch) {
        process.stdout.write(`epoch ${epoch + 1}\n`);
      },
    },
  ],
});
trainer.fit(batches(x, y, 8), batches(x, y, 32));
tn.safetensors.saveFile(model.stateDict(), join(dir, 'final.safetensors'));
process.stdout.write('done\n');
