// dmn-js's read-only viewer, bundled for production: the viewer file dmn-js ships carries
// Inferno's development build, which reports an error in the console on every page.
import DmnViewer from "dmn-js/lib/Viewer";

window.DmnJS = DmnViewer;
