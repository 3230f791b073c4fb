package io.ferry.systemmanager.internal.web;

import java.util.List;
import java.util.function.Function;
import org.springframework.data.domain.Page;

/**
 * One page of a list.
 *
 * @param items the items of the page
 * @param page the page's number, from 0
 * @param size the page size
 * @param totalItems how many items match in all
 * @param totalPages how many pages there are
 */
public record PageResponse<T>(List<T> items, int page, int size, long totalItems, int totalPages) {

  public static <E, T> PageResponse<T> of(Page<E> page, Function<E, T> mapper) {
    return new PageResponse<>(
        page.getContent().stream().map(mapper).toList(),
        page.getNumber(),
        page.getSize(),
        page.getTotalElements(),
        page.getTotalPages());
  }
}
