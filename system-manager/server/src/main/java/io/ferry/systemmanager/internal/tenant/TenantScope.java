package io.ferry.systemmanager.internal.tenant;

import io.ferry.systemmanager.internal.security.FerryAuthentication;
import io.ferry.systemmanager.internal.security.FerryPrincipal;
import io.ferry.systemmanager.internal.web.ApiException;
import jakarta.persistence.EntityManager;
import jakarta.persistence.criteria.CriteriaBuilder;
import jakarta.persistence.criteria.CriteriaQuery;
import jakarta.persistence.criteria.Predicate;
import jakarta.persistence.criteria.Root;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.data.domain.Page;
import org.springframework.data.domain.Pageable;
import org.springframework.data.jpa.domain.Specification;
import org.springframework.data.jpa.repository.JpaSpecificationExecutor;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.stereotype.Component;

/**
 * Tenant isolation, in one place. Every read of a {@link TenantOwned} entity by id or by list goes
 * through here and is filtered by the caller's tenant, so that another tenant's resource looks
 * exactly like a missing one (404). A platform admin additionally sees every tenant and every user
 * (the entities that implement {@link PlatformManaged}); cloud accounts, images, migrations and
 * tokens stay per tenant for everyone.
 */
@Component
public class TenantScope {

  private final EntityManager entityManager;

  public TenantScope(EntityManager entityManager) {
    this.entityManager = entityManager;
  }

  /** The caller; fails with 401 when there is none (never reached behind the security rules). */
  public FerryPrincipal principal() {
    Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
    if (authentication instanceof FerryAuthentication ferry) {
      return ferry.getPrincipal();
    }
    throw ApiException.unauthenticated();
  }

  /** The caller's tenant. */
  public UUID tenantId() {
    return principal().tenantId();
  }

  /** The entity with the id if the caller may see it; 404 naming {@code what} otherwise. */
  public <T extends TenantOwned> T require(Class<T> type, UUID id, String what) {
    return find(type, id).orElseThrow(() -> ApiException.notFound(what, id));
  }

  /** The entity with the id if the caller may see it. */
  public <T extends TenantOwned> Optional<T> find(Class<T> type, UUID id) {
    CriteriaBuilder builder = entityManager.getCriteriaBuilder();
    CriteriaQuery<T> query = builder.createQuery(type);
    Root<T> root = query.from(type);
    Predicate byId = builder.equal(root.get("id"), id);
    Predicate visible = visible(type).toPredicate(root, query, builder);
    query.where(visible == null ? byId : builder.and(byId, visible));
    List<T> found = entityManager.createQuery(query).setMaxResults(1).getResultList();
    return found.stream().findFirst();
  }

  /** A page of the entities the caller may see that match the filter. */
  public <T extends TenantOwned> Page<T> page(
      JpaSpecificationExecutor<T> repository, Class<T> type, Specification<T> filter, Pageable page) {
    return repository.findAll(visible(type).and(filter), page);
  }

  /** All entities the caller may see that match the filter. */
  public <T extends TenantOwned> List<T> list(
      JpaSpecificationExecutor<T> repository, Class<T> type, Specification<T> filter) {
    return repository.findAll(visible(type).and(filter));
  }

  /** The condition "the caller may see it" for an entity type. */
  public <T extends TenantOwned> Specification<T> visible(Class<T> type) {
    FerryPrincipal principal = principal();
    if (principal.platformAdmin() && PlatformManaged.class.isAssignableFrom(type)) {
      return (root, query, builder) -> builder.conjunction();
    }
    String attribute = type == Tenant.class ? "id" : "tenantId";
    UUID tenantId = principal.tenantId();
    return (root, query, builder) -> builder.equal(root.get(attribute), tenantId);
  }
}
