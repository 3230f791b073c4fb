package io.ferry.systemmanager.internal.catalogue;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/** The image catalogue of a cloud account. */
@RestController
public class CatalogueController {

  /** An image as the API shows it. */
  public record ImageView(
      String id, String name, String version, String format, long virtualSize, String osName, String architecture,
      String bootMode, String cloudLayer, Map<String, String> tags, Instant createdAt, Instant refreshedAt) {
    static ImageView of(CatalogueImage image) {
      return new ImageView(image.imageId(), image.name(), image.version(), image.format(), image.virtualSize(),
          image.osName(), image.architecture().name(), image.bootMode().name(), image.cloudLayer(), image.tags(),
          image.imageCreatedAt(), image.refreshedAt());
    }
  }

  private final CatalogueService catalogue;

  public CatalogueController(CatalogueService catalogue) {
    this.catalogue = catalogue;
  }

  @GetMapping("/api/v1/cloud-accounts/{id}/images")
  public List<ImageView> images(@PathVariable UUID id) {
    return catalogue.images(id).stream().map(ImageView::of).toList();
  }

  @PostMapping("/api/v1/cloud-accounts/{id}/images/refresh")
  public List<ImageView> refresh(@PathVariable UUID id) {
    return catalogue.refresh(id).stream().map(ImageView::of).toList();
  }
}
