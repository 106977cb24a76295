import type { AnnotationDescriptor, Refusal } from './descriptor.ts';

/** How a group parser reads an Ingress's annotations (implemented by read-annotations.ts). */
export interface AnnotationSource {
  /**
   * The typed value, or undefined when the annotation is absent or its value was refused (the refusal is already
   * reported, and a reject/deny already marks the Ingress).
   */
  get<T>(descriptor: AnnotationDescriptor<T>): T | undefined;
  /** Reports a refusal found while combining values (a group rule), on the annotation it concerns. */
  refuse(descriptor: AnnotationDescriptor, refusal: Refusal, why: string): void;
}
