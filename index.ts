// SPDX-License-Identifier: MIT
// The root Pulumi program: the default example, run against the lab fleet by
// `npm start` (as an Automation API inline program) or by `pulumi up` here.
import { labFleetProgram } from "./examples/lab/fleet";

export = labFleetProgram();
