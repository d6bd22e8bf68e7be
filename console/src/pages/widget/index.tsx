/** The Widget page (a lazily loaded chunk). */
import type { PageProps } from '../types'
import { WidgetSettings } from './widget-form'

export default function WidgetPage({ tenantId, setBrand }: PageProps) {
  return <WidgetSettings key={tenantId} tenantId={tenantId} onBrand={setBrand} />
}
