package io.ferry.systemmanager.internal.web;

/**
 * One offending field of a request.
 *
 * @param field the field's path, such as {@code settings.colour}
 * @param message what is wrong with it
 */
public record FieldProblem(String field, String message) {}
