package io.ferry.plugin.aws.internal;

import io.ferry.standardization.ErrorCode;
import io.ferry.standardization.FerryException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.ebs.EbsClient;
import software.amazon.awssdk.services.ebs.model.Block;
import software.amazon.awssdk.services.ebs.model.ListSnapshotBlocksRequest;
import software.amazon.awssdk.services.ebs.model.ListSnapshotBlocksResponse;

/**
 * The allocated blocks of a snapshot and their tokens, fetched page by page with
 * ListSnapshotBlocks and kept in a small cache of pages, so memory stays bounded whatever the
 * size of the snapshot.
 */
final class BlockMap {

  /** The most blocks one ListSnapshotBlocks page returns. */
  static final int PAGE_SIZE = 10_000;

  private static final int CACHED_PAGES = 8;

  /**
   * One page: the allocated blocks with indexes in {@code [first, end)}, sorted.
   *
   * @param first the first block index the page covers
   * @param end the first block index after the page ({@link Long#MAX_VALUE} for the last page)
   */
  record Page(long first, long end, int[] indexes, String[] tokens) {

    /** The token of block {@code index}, or null when it is not allocated. */
    String token(long index) {
      int found = Arrays.binarySearch(indexes, (int) index);
      return found >= 0 ? tokens[found] : null;
    }
  }

  private final EbsClient ebs;
  private final Backoff backoff;
  private final String snapshotId;
  private final Map<Long, Page> pages = new LinkedHashMap<>(16, 0.75f, true);

  BlockMap(EbsClient ebs, Backoff backoff, String snapshotId) {
    this.ebs = ebs;
    this.backoff = backoff;
    this.snapshotId = snapshotId;
  }

  /** The first page, fetched to learn the volume and block sizes. */
  ListSnapshotBlocksResponse firstResponse() {
    return list(0, null);
  }

  /** The token of block {@code index}, or null when the block is not allocated. */
  String token(long index) {
    return page(index).token(index);
  }

  /**
   * Whether any block in {@code [from, to]} may be allocated: false only when one cached page
   * covers the whole range and lists none of it (lets reads of holes skip per-block lookups).
   */
  boolean anyAllocated(long from, long to) {
    Page page = page(from);
    if (page.end <= to) {
      return true;
    }
    int at = Arrays.binarySearch(page.indexes, (int) Math.min(from, Integer.MAX_VALUE));
    int insertion = at >= 0 ? at : -at - 1;
    return insertion < page.indexes.length && page.indexes[insertion] <= to;
  }

  private Page page(long index) {
    synchronized (pages) {
      for (Page page : pages.values()) {
        if (page.first <= index && index < page.end) {
          pages.get(page.first); // touch: most recently used
          return page;
        }
      }
    }
    Page page = fetchPage(index, null);
    synchronized (pages) {
      pages.put(page.first, page);
      if (pages.size() > CACHED_PAGES) {
        Long eldest = pages.keySet().iterator().next();
        pages.remove(eldest);
      }
    }
    return page;
  }

  /** Fetches the page of allocated blocks starting at {@code first}, or at {@code nextToken}. */
  Page fetchPage(long first, String nextToken) {
    ListSnapshotBlocksResponse response = list(first, nextToken);
    List<Block> blocks = new ArrayList<>(response.blocks());
    blocks.removeIf(block -> block.blockIndex() < first);
    blocks.sort(Comparator.comparing(Block::blockIndex));
    int[] indexes = new int[blocks.size()];
    String[] tokens = new String[blocks.size()];
    for (int i = 0; i < indexes.length; i++) {
      indexes[i] = blocks.get(i).blockIndex();
      tokens[i] = blocks.get(i).blockToken();
      if (i > 0 && indexes[i] == indexes[i - 1]) {
        throw new FerryException(
            ErrorCode.IMAGE_CORRUPT, "snapshot " + snapshotId + " lists block " + indexes[i] + " twice");
      }
    }
    long end =
        response.nextToken() == null || indexes.length == 0 ? Long.MAX_VALUE : (long) indexes[indexes.length - 1] + 1;
    return new Page(first, end, indexes, tokens);
  }

  /** Lists from {@code first} (ignored when {@code nextToken} is given). */
  ListSnapshotBlocksResponse list(long first, String nextToken) {
    ListSnapshotBlocksRequest.Builder request =
        ListSnapshotBlocksRequest.builder().snapshotId(snapshotId).maxResults(PAGE_SIZE);
    if (nextToken != null) {
      request.nextToken(nextToken);
    } else if (first > 0) {
      request.startingBlockIndex((int) first);
    }
    return backoff.call(() -> AwsErrors.call("ListSnapshotBlocks " + snapshotId, () -> ebs.listSnapshotBlocks(request.build())));
  }
}
