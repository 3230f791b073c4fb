/** The S3-compatible {@link io.ferry.standardization.bundle.ChunkStore} (AWS SDK for Java v2). */
package io.ferry.standardization.bundle.s3;
