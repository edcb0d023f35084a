// The whole resource graph of Pulumi.dev.yaml under mocks, against its golden file. After a
// deliberate change: `npm run test:golden` rewrites it; review the diff before committing.
import { graphGolden } from "../support/graph";

graphGolden("dev");
