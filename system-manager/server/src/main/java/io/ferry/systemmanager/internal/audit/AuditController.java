package io.ferry.systemmanager.internal.audit;

import io.ferry.systemmanager.internal.tenant.TenantScope;
import io.ferry.systemmanager.internal.web.PageResponse;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import java.time.Instant;
import java.util.UUID;
import org.springframework.data.domain.PageRequest;
import org.springframework.data.domain.Sort;
import org.springframework.data.jpa.domain.Specification;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** The audit log: a tenant admin reads their tenant's, a platform admin everything. */
@RestController
@RequestMapping("/api/v1/audit")
public class AuditController {

  /** One audit event as the API shows it. */
  public record AuditEventView(
      long id, Instant occurredAt, UUID tenantId, String actor, String action, String target, String outcome, int status) {
    static AuditEventView of(AuditEvent event) {
      return new AuditEventView(event.id(), event.occurredAt(), event.tenantId(), event.actor(), event.action(),
          event.target(), event.outcome().name(), event.status());
    }
  }

  private final AuditEventRepository events;
  private final TenantScope scope;

  public AuditController(AuditEventRepository events, TenantScope scope) {
    this.events = events;
    this.scope = scope;
  }

  @GetMapping
  @Transactional(readOnly = true)
  public PageResponse<AuditEventView> list(
      @RequestParam(defaultValue = "0") @Min(0) int page,
      @RequestParam(defaultValue = "50") @Min(1) @Max(500) int size) {
    Specification<AuditEvent> all = (root, query, builder) -> builder.conjunction();
    return PageResponse.of(
        scope.page(events, AuditEvent.class, all,
            PageRequest.of(page, size, Sort.by(Sort.Order.desc("occurredAt"), Sort.Order.desc("id")))),
        AuditEventView::of);
  }
}
