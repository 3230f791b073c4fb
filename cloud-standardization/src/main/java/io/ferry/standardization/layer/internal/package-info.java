/** Internal to cloud-standardization: loading and validating the layer data files. Not an API. */
package io.ferry.standardization.layer.internal;
