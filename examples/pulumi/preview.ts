// `npm run preview`: what `pulumi up` would register for this program, offline (Pulumi's mocks; no
// cloud, no credentials, no Pulumi service), as JSON: check it in a test or keep it as a snapshot.
// `npm run preview -- existing-vaults` previews the other program.
import { previewOffline } from 'asr-mobility-autoupdate/pulumi';

const program = process.argv[2] ?? 'index';

previewOffline(() => import(`./${program}.js`), { project: 'platform-team-dr', stack: 'dr' }).then(
  (preview) => process.stdout.write(`${JSON.stringify(preview, null, 2)}\n`),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  },
);
