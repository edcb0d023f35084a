// The whole resource graph of Pulumi.prod-k8s.yaml under mocks, against its golden file.
import { graphGolden } from "../support/graph";

graphGolden("prod-k8s");
