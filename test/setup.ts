import '../cli/polyfills.js';
import 'aws-sdk-client-mock-vitest/extend';
